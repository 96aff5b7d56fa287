"""How long `core.mathanswers.check` takes to judge a learner's answer, per kind.

    .venv/bin/python bench/answers.py                 # 2,000 checks a kind
    .venv/bin/python bench/answers.py --checks 500
    .venv/bin/python bench/answers.py --cold          # SymPy's cache emptied before each check

For each kind, realistic pairs of (the task's answer, a learner's answer) — right, wrong and
a few not understood — are checked in turn, `--checks` times in all, after one warm-up round
(which also fills the cache of the tasks' parsed answers, as a running site has it). It
prints the median, p95 and maximum per kind and overall. Target: expression p95 ≤ 20 ms; the
exit status is 1 on a miss. SymPy keeps what it built in a cache, so that the same answer
typed again is cheaper: --cold empties that cache before each check (outside the timed
part), as if every answer were new — the pessimistic figure. No database: the checker is
pure Python. The machine is shared: the figures are printed between two readings of the
README's timeit yardstick.
"""

import argparse
import statistics
import sys
import time
import timeit

from common import setup_django

TARGET_P95_MS = {"expression": 20.0}

PAIRS = {
    "number": [
        ("0,5", "1/2"),
        ("0,5", "2/4"),
        ("2√2", "√8"),
        ("3+2√2", "(√2+1)²"),
        ("-3", "−3"),
        ("2,5", "2½"),
        ("1/2", "sin 30°"),
        ("3", "log₂8"),
        ("25", "25%"),
        ("0,25", "0,2"),
        ("12", "x = 12"),
        ("π", "3,14"),
        ("1000", "10³"),
        ("7", "7,0"),
        ("1/3", "0,33"),
        ("4", "пять"),
        ("6", "2·3"),
        ("2", "∛8"),
        ("-0,75", "-3/4"),
        ("1,5", "1,5"),
    ],
    "expression": [
        ("(x+1)²", "x²+2x+1"),
        ("x²+2x+1", "(x+1)²"),
        ("2√2", "√8"),
        ("(x²−1)/(x−1)", "x+1"),
        ("sin²x+cos²x", "1"),
        ("x+1", "1+x"),
        ("(a+b)³", "a³+3a²b+3ab²+b³"),
        ("(a−b)(a+b)", "a²−b²"),
        ("sin 2x", "2 sin x cos x"),
        ("cos 2x", "1 − 2sin²x"),
        ("2 ln x", "ln x²"),
        ("1/(x+1) + 1/(x−1)", "2x/(x²−1)"),
        ("x/2", "0,5x"),
        ("(x+1)²", "x²+1"),
        ("a²−b²", "(a−b)²"),
        ("tg x", "sin x/cos x"),
        ("e^(2x)", "(e^x)²"),
        ("|x|", "√(x²)"),
        ("2^(x+1)", "2·2^x"),
        ("(x+2)(x−3)", "x²−x−6"),
    ],
    "equation": [
        ("x² − 5x + 6 = 0", "x = 2 или x = 3"),
        ("x² − 5x + 6 = 0", "x₁ = 2; x₂ = 3"),
        ("x² − 5x + 6 = 0", "x = 2"),
        ("x² = 4", "x = ±2"),
        ("2x + 3 = 7", "x = 2"),
        ("2x + 3 = 7", "4x = 8"),
        ("x² = −1", "нет корней"),
        ("(x²−1)/(x−1) = 0", "x = −1"),
        ("√(x+2) = x", "x = 2"),
        ("log₂x = 3", "x = 8"),
        ("y = 2x + 1", "2x − y + 1 = 0"),
        ("x² + y² = 4", "y² = 4 − x²"),
        ("x² = 2", "x = ±√2"),
        ("x³ − x = 0", "0; 1; −1"),
        ("|x − 1| = 2", "x = 3 или x = −1"),
        ("x² − 5x + 6 = 0", "(x−2)(x−3) = 0"),
        ("2^x = 8", "x = 3"),
        ("1/x + 1 = 0", "x = −1"),
        ("x² − 5x + 6 = 0", "x = −2 или x = −3"),
        ("(x−2)² = 0", "x = 2"),
    ],
    "set": [
        ("{1; 2; 3}", "{3; 2; 1}"),
        ("[1; 3)", "1 ≤ x < 3"),
        ("(−∞; 2] ∪ [5; +∞)", "x ≤ 2 или x ≥ 5"),
        ("(−∞; 2] ∪ [5; +∞)", "(−∞; 2) ∪ (5; +∞)"),
        ("(−∞; 0) ∪ (0; +∞)", "x ≠ 0"),
        ("[1; 3]", "[1; 2] ∪ [2; 3]"),
        ("∅", "нет решений"),
        ("ℝ", "(−∞; +∞)"),
        ("[√2; 3)", "[2/√2; 3)"),
        ("(2; 5]", "2 < x ≤ 5"),
        ("[5; +∞)", "x ≥ 5"),
        ("{0,5; 2}", "{1/2; 2}"),
        ("[1; 3)", "(1,3)"),
        ("[−1; 1] ∪ {3}", "−1 ≤ x ≤ 1 или x = 3"),
        ("(1; 3)", "(1, 3)"),
        ("{−1; 1}", "{1}"),
        ("[1; 3)", "[1; 3]"),
        ("(−∞; 2]", "2 ≥ x"),
        ("[0; 4]", "0 ≤ x ≤ 4"),
        ("(−3; 3)", "|x| < 3"),
    ],
    "text": [
        ("Пётр Первый", "петр первый"),
        ("Москва|Moscow", "moscow"),
        ("треугольник", "Треугольник."),
        ("ёж", "еж"),
        ("да", "нет"),
        ("12 см", "12см"),
        ("Евклид|Эвклид", "эвклид"),
        ("параллелограмм", "паралелограм"),
        ("Ньютон, Лейбниц", "ньютон лейбниц"),
        ("прямой угол", "острый угол"),
    ]
    * 2,
}


def yardstick_ms() -> float:
    """The README's `python3 -m timeit -n 20 "sum(i*i for i in range(100000))"`, in process."""
    return min(timeit.repeat("sum(i*i for i in range(100000))", number=20, repeat=5)) / 20 * 1000


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", type=int, default=2000, help="timed checks a kind (default 2,000)")
    parser.add_argument("--cold", action="store_true", help="empty SymPy's cache before each check")
    args = parser.parse_args()
    setup_django()
    from sympy.core.cache import clear_cache

    from core.mathanswers import check

    print(f"timeit before: {yardstick_ms():.2f} ms (the README's line: 3.4 ms on a usual day)")
    print(f"{'kind':<12}{'checks':>8}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}  verdicts (right/wrong/none)  target")
    everything, missed = [], []
    for kind, pairs in PAIRS.items():
        for expected, given in pairs:  # warm-up: the tasks' answers parsed and kept
            check(kind, expected, given)
        times, verdicts = [], {True: 0, False: 0, None: 0}
        for number in range(args.checks):
            expected, given = pairs[number % len(pairs)]
            if args.cold:
                clear_cache()
            started = time.perf_counter()
            verdict = check(kind, expected, given)
            times.append((time.perf_counter() - started) * 1000)
            verdicts[verdict.correct] += 1
        everything += times
        p95 = percentile(times, 0.95)
        target = TARGET_P95_MS.get(kind)
        meets = "" if target is None else f"p95 ≤ {target:g} ms: {'yes' if p95 <= target else 'NO'}"
        if target is not None and p95 > target:
            missed.append(kind)
        print(
            f"{kind:<12}{len(times):>8}{statistics.median(times):>11.2f}{p95:>9.2f}{max(times):>9.2f}  "
            f"{verdicts[True]:>5}/{verdicts[False]}/{verdicts[None]:<18}  {meets}"
        )
    print(
        f"{'overall':<12}{len(everything):>8}{statistics.median(everything):>11.2f}"
        f"{percentile(everything, 0.95):>9.2f}{max(everything):>9.2f}"
    )
    print(f"timeit after: {yardstick_ms():.2f} ms")
    if missed:
        print(f"Missed the target: {', '.join(missed)}")
        sys.exit(1)
    print("Every target met.")


if __name__ == "__main__":
    main()
