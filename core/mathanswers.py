"""Short answers to tasks, checked at once: «Верно», «Неверно», or a Russian hint on what was
not understood (which counts as no attempt). Pure Python: our own tokenizer and
recursive-descent parser build SymPy objects directly — no `eval`, no `sympify` or
`parse_expr` of what a person typed.

Kinds (AnswerKind) and how two answers are compared:

- «число» (number): a constant. Exact values compare exactly (0,5 = 1/2 = 2/4, √8 = 2√2);
  with the task's tolerance, |given − expected| ≤ tolerance (3,14 ± 0,01 accepts π). A
  trailing «%» or «°» after a number is a unit mark in the task's answer («50%» is 50) and
  is read both ways in a learner's: as a unit mark and as a value («25%» is right for 25 and
  for 0,25; «30°» for 30 and for π/6). A leading «x =» or «Ответ:» is dropped («x = 5»).
- «выражение» (expression): compared by value, numerically (see below): x+1 = 1+x,
  (x+1)² = x²+2x+1, (x²−1)/(x−1) = x+1.
- «уравнение» (equation): one equation or several alternatives joined by «или», «;» or «, »
  («x = 2 или x = −3», «x₁ = 2; x₂ = −3», «x1=2, x2=-3», «2; −3», «x = ±2»); indices of
  variables are dropped in this kind (x₁, x_1 and x1 are all x). With one unknown, right
  when the real solution sets are equal: «x² = 4» = «x = 2 или x = −2»; «нет корней»,
  «корней нет», «нет решений», «∅» are the empty set, «x — любое число» and «ℝ» all
  reals. With two or more unknowns (the equation of a line, a circle), right when one
  equation is the other times a non-zero constant: «y = 2x + 1» = «2x − y + 1 = 0».
  Periodic solution sets (sin x = 0) cannot be checked: write such answers as text. A
  learner's equation in one unknown must be linear or rational (x² = 4, (x−2)(x−3) = 0,
  1/x = 2); for any other the hint asks for its roots, so that no learner makes the server
  run SymPy's solveset, which can take seconds.
- «множество или промежуток» (set): {1; 2; 3}, [1; 3), (−∞; 2] ∪ [5; +∞), ∅, ℝ, «1; 2»
  (braces optional), inequalities with the variable alone on its side «x ≥ 2», «−1 < x ≤ 3»,
  «x ≠ 0», «x < 1 или x > 5», «x — любое число», an optional «x ∈» in front. Compared by
  elements and ends (the tolerance applies to them). «;» (or a comma followed by a space)
  separates elements and ends; a comma between digits is a decimal comma, so {1,5; 2} is
  {1.5, 2} and (1,3) is not an interval.
- «текст» (text): equal after dropping case, ё/е, spaces and punctuation; the expected
  answer may list accepted variants separated by «|».

The grammar of an expression (every kind but text):

    expr    := term (('+' | '-') term)*
    term    := unary (('·' | '/') unary | implicit-product power)*
    unary   := ('+' | '-') unary | power
    power   := postfix ('^' unary)?                       right-associative: 2^3^2 = 2^9
    postfix := atom ('²' | superscript digits | '°')*
    atom    := number | variable | π | e | '(' expr ')' | '[' expr ']' | '|' expr '|'
             | '√' unary | '∛' unary | function argument

- Numbers: ASCII digits with «,» or «.» as the decimal separator (at most 40 digits), vulgar
  fractions ½ ⅓ ⅔ ¼ ¾ ⅕…⅞, mixed numbers «2½». Two numbers side by side («1 000») are
  refused: the hint asks for an operator.
- Operators: + − (also U+2212 and dashes), · × * ⋅ ∙ (product), / : ÷ (quotient), ^ and **
  (power), superscripts ² ³ ⁻¹, √ ∛ (√ applies to the next factor with its power: √2x = √2·x,
  √x² = √(x²)), |…| (absolute value), ° (degrees: π/180).
- Implicit products: 2x, 2(x+1), (x+1)(x−1), 2π, 2√2, xy = x·y, sin x cos x; they bind like
  «·»: 1/2x = x/2.
- Variables: one Latin or Greek letter each (Cyrillic х, у, а, с, о, р, е, к are read as the
  Latin letters they look like); an index as x₁ or x_1 (a letter right before ASCII digits,
  «x2», is refused as ambiguous outside equations). «e» is Euler's number; π, pi and пи are π.
- Functions: sin, cos, tg/tan, ctg/cot, arcsin, arccos, arctg/arctan, arcctg/arccot, ln, lg,
  log₂/log_2 (a base is required), exp, sqrt, cbrt, abs. The argument is in brackets or a
  product without operators: sin 2x = sin(2x), sin²x = (sin x)², sin x/2 = (sin x)/2.

Limits, so that no input can hold a web thread: at most MAX_ANSWER_LENGTH characters from a
learner (MAX_EXPECTED_LENGTH from an author), MAX_TOKENS tokens, MAX_DEPTH nested brackets,
powers and function calls; integer exponents up to MAX_EXPONENT, numbers up to
MAX_RESULT_DIGITS digits (checked before SymPy computes them: 9**9**9**9 is refused at
once), roots of numbers up to MAX_ROOT_DIGITS digits (SymPy factors what is under a root),
no factorial. Division by zero and roots of negative numbers are hints.

Comparison by value, bounded by construction: expressions are evaluated by our own walker
over the SymPy tree with mpmath at PRECISION_BITS bits at POINTS fixed pseudo-random points
(each variable its own value in ±[0.3; 3], never a special value like 0 or 1). Values whose
magnitude would pass 2^MAX_MAGNITUDE_BITS are not computed, so no evaluation is slow. A
point counts only where both expressions are defined and real (the real domain: √x·√x = x,
ln x² = 2 ln x, but √(x²) ≠ x); the answers agree when they agree at every counted point to
a relative 10⁻³⁰, with at least MIN_POINTS points counted. That numeric agreement *is* the
verdict, with no symbolic simplification after it (simplify takes tens to hundreds of
milliseconds): two different polynomials in one variable of degree below POINTS cannot
agree at POINTS points, and other different expressions agree only if their difference
vanishes at all those points, which happens for an answer built on purpose around them.
Equations with one unknown are solved: rational equations exactly through SymPy's
polynomial real roots (degree ≤ MAX_DEGREE, read off the tree before anything is expanded;
the roots of what the equation divides by are left out, even where SymPy cancelled the
factor: (x−1)²/(x−1) = 0 has no roots); the task's own equation, if not rational, with
SymPy's solveset over the reals when small (≤ MAX_SOLVE_OPS operations). The task's parsed
answer and its solution set are cached, and found before the clock starts. Every check is
timed: beyond CHECK_TIME_LIMIT seconds the verdict is «not checked», a safety net the limits
above keep unused.
"""

import itertools
import logging
import random
import re
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

import mpmath
import sympy
from sympy import S
from sympy.printing.str import StrPrinter

from core.answerkind import AnswerKind

logger = logging.getLogger(__name__)

MAX_ANSWER_LENGTH = 200
MAX_EXPECTED_LENGTH = 1000
MAX_TOKENS = 300
MAX_DEPTH = 30
MAX_NUMBER_DIGITS = 40
MAX_EXPONENT = 1000
MAX_ROOT_DEGREE = 100
MAX_RESULT_DIGITS = 1000
MAX_ROOT_DIGITS = 100
MAX_VARIABLES = 8
MAX_DEGREE = 12
MAX_SOLVE_OPS = 40
CHECK_TIME_LIMIT = 0.5  # seconds

POINTS = 10
MIN_POINTS = 4
PRECISION_BITS = 200
MAX_MAGNITUDE_BITS = 4000
RELATIVE_EPSILON = mpmath.mpf("1e-30")


@dataclass(frozen=True)
class Verdict:
    """correct: True «Верно», False «Неверно», None — not understood or not checked (no
    attempt; `hint` says why, in Russian). `understood_as`: how the answer was read."""

    correct: bool | None
    hint: str = ""
    understood_as: str = ""

    @property
    def counts_as_attempt(self) -> bool:
        return self.correct is not None


class AnswerSyntaxError(ValueError):
    """An answer that cannot be read; the message is a hint for a person, in Russian."""

    def __init__(self, hint: str):
        super().__init__(hint)
        self.hint = hint


class _CannotCheck(Exception):
    """Understood, but beyond what the checker can decide (the message is a Russian hint)."""


# --- Tokens ------------------------------------------------------------------------------

MINUSES = "-−–‐‑﹣－"
PRODUCTS = "*·×⋅∙•"
QUOTIENTS = "/:÷∕⁄"
SUPERSCRIPT_DIGITS = {c: i for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
SUBSCRIPT_DIGITS = {c: str(i) for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")}
VULGAR_FRACTIONS = {
    "½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
    "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅐": (1, 7), "⅛": (1, 8), "⅜": (3, 8),
    "⅝": (5, 8), "⅞": (7, 8), "⅑": (1, 9), "⅒": (1, 10),
}  # fmt: skip
SINGLE_OPERATORS = {
    "+": "+", "(": "(", ")": ")", "[": "[", "]": "]", "{": "{", "}": "}", "|": "|", ";": ";",
    "=": "=", "<": "<", ">": ">", "≤": "<=", "⩽": "<=", "≥": ">=", "⩾": ">=", "≠": "!=", "∪": "U",
    "∈": "in", "±": "±", "√": "√", "∛": "∛", "°": "°", "∞": "oo", "∅": "empty", "ℝ": "R",
    "^": "^", "_": "_",
}  # fmt: skip
TWO_CHARACTER_OPERATORS = {"**": "^", "<=": "<=", ">=": ">=", "!=": "!=", "+-": "±"}
FUNCTIONS = {
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctg": sympy.atan, "arctan": sympy.atan,
    "arcctg": sympy.acot, "arccot": sympy.acot, "sin": sympy.sin, "cos": sympy.cos,
    "tg": sympy.tan, "tan": sympy.tan, "ctg": sympy.cot, "cot": sympy.cot, "ln": sympy.log,
    "lg": lambda x: sympy.log(x, 10), "exp": sympy.exp, "sqrt": sympy.sqrt, "abs": sympy.Abs,
    "cbrt": None, "log": None,  # built by the parser: a real cube root, a base
}  # fmt: skip
# Longest first, so that «arcsin» is not read as «a·r·c·sin».
NAMES = sorted([*FUNCTIONS, "pi"], key=len, reverse=True)
GREEK = "αβγδεζηθικλμνξοστυφχψω"
CYRILLIC_LOOKALIKES = {"х": "x", "у": "y", "а": "a", "с": "c", "о": "o", "р": "p", "е": "e", "к": "k"}
WORDS = {"пи": "pi", "или": "or"}


@dataclass(frozen=True)
class Token:
    kind: str  # num, var, const, func, op, sup, sub, word
    value: object
    position: int  # 1-based, in the text a person typed
    text: str


def _symbol_hint(character: str, position: int) -> str:
    if unicodedata.category(character).startswith("C"):
        return f"Недопустимый символ (код U+{ord(character):04X}) в позиции {position}"
    return f"Не понятен символ «{character}» в позиции {position}"


def tokenize(text: str, *, indexed_variables: bool = False) -> list[Token]:
    """The tokens of `text`; AnswerSyntaxError on a character or word that is not understood.
    indexed_variables: a letter right before ASCII digits («x1») is an indexed variable
    (equations); otherwise it is refused as ambiguous (x·1, x₁ or x¹?)."""
    tokens: list[Token] = []
    i, n = 0, len(text)

    def add(kind, value, start, end):
        tokens.append(Token(kind, value, start + 1, text[start:end]))
        if len(tokens) > MAX_TOKENS:
            raise AnswerSyntaxError("Слишком длинный ответ")

    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if (c.isascii() and c.isdigit()) or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            i = _read_number(text, i, add)
            continue
        if c in VULGAR_FRACTIONS:
            add("num", sympy.Rational(*VULGAR_FRACTIONS[c]), i, i + 1)
            i += 1
            continue
        if c == ",":
            if i + 1 < n and text[i + 1].isascii() and text[i + 1].isdigit() and not tokens:
                raise AnswerSyntaxError(f"Перед запятой в позиции {i + 1} нет цифры: пишите 0,5")
            add("op", ";", i, i + 1)
            i += 1
            continue
        if c in SUPERSCRIPT_DIGITS or c in "⁻⁺":
            start, sign = i, 1
            if c in "⁻⁺":
                sign = -1 if c == "⁻" else 1
                i += 1
            digits = ""
            while i < n and text[i] in SUPERSCRIPT_DIGITS:
                digits += str(SUPERSCRIPT_DIGITS[text[i]])
                i += 1
            if not digits:
                raise AnswerSyntaxError(f"После «{c}» в позиции {start + 1} нет показателя степени")
            if len(digits) > MAX_NUMBER_DIGITS:
                raise AnswerSyntaxError("Слишком длинное число")
            add("sup", sympy.Integer(sign * int(digits)), start, i)
            continue
        if c in SUBSCRIPT_DIGITS:
            start = i
            while i < n and text[i] in SUBSCRIPT_DIGITS:
                i += 1
            add("sub", "".join(SUBSCRIPT_DIGITS[d] for d in text[start:i])[:MAX_NUMBER_DIGITS], start, i)
            continue
        two = text[i : i + 2]
        if two in TWO_CHARACTER_OPERATORS:
            add("op", TWO_CHARACTER_OPERATORS[two], i, i + 2)
            i += 2
            continue
        if c in MINUSES:
            add("op", "-", i, i + 1)
        elif c in PRODUCTS:
            add("op", "*", i, i + 1)
        elif c in QUOTIENTS:
            add("op", "/", i, i + 1)
        elif c in SINGLE_OPERATORS:
            add("op", SINGLE_OPERATORS[c], i, i + 1)
        elif c == "π":
            add("const", S.Pi, i, i + 1)
        elif c.isascii() and c.isalpha():
            i = _read_latin(text, i, add, indexed_variables)
            continue
        elif c.lower() in GREEK:
            add("var", c, i, i + 1)
        elif "а" <= c.lower() <= "я" or c.lower() == "ё":
            i = _read_cyrillic(text, i, add)
            continue
        else:
            raise AnswerSyntaxError(_symbol_hint(c, i + 1))
        i += 1
    return tokens


def _read_number(text, i, add) -> int:
    start, n = i, len(text)
    while i < n and text[i].isascii() and text[i].isdigit():
        i += 1
    whole = text[start:i]
    fraction = ""
    if i + 1 < n and text[i] in ".," and text[i + 1].isascii() and text[i + 1].isdigit():
        i += 1
        begin = i
        while i < n and text[i].isascii() and text[i].isdigit():
            i += 1
        fraction = text[begin:i]
        if i + 1 < n and text[i] in ".," and text[i + 1].isascii() and text[i + 1].isdigit():
            raise AnswerSyntaxError(
                f"Непонятная запись числа «{text[start : i + 2]}…»: дробную часть отделяйте одной запятой, "
                "а числа друг от друга — точкой с запятой"
            )
    if len(whole) + len(fraction) > MAX_NUMBER_DIGITS:
        raise AnswerSyntaxError(f"Слишком длинное число (больше {MAX_NUMBER_DIGITS} цифр)")
    value = sympy.Rational(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"), 10 ** len(fraction))
    if i < n and text[i] in VULGAR_FRACTIONS and not fraction:
        value += sympy.Rational(*VULGAR_FRACTIONS[text[i]])  # a mixed number: 2½
        i += 1
    add("num", value, start, i)
    return i


def _read_latin(text, i, add, indexed_variables) -> int:
    start, n = i, len(text)
    while i < n and text[i].isascii() and text[i].isalpha():
        i += 1
    run, offset = text[start:i], 0
    while offset < len(run):
        name = next((name for name in NAMES if run.startswith(name, offset)), None)
        if name is None and run.startswith("e", offset):
            add("const", S.Exp1, start + offset, start + offset + 1)
            offset += 1
        elif name == "pi":
            add("const", S.Pi, start + offset, start + offset + 2)
            offset += 2
        elif name:
            add("func", name, start + offset, start + offset + len(name))
            offset += len(name)
        else:
            letter = run[offset]
            end = start + offset + 1
            if offset == len(run) - 1 and i < n and text[i].isascii() and text[i].isdigit():
                if not indexed_variables:
                    digits = re.match(r"[0-9]+", text[i:]).group()
                    raise AnswerSyntaxError(
                        f"Запись «{letter}{digits}» не понятна: степень пишите как {letter}^{digits} "
                        f"или {letter}², индекс — как {letter}_{digits}"
                    )
                while i < n and text[i].isascii() and text[i].isdigit():
                    i += 1
                end = i
            add("var", letter, start + offset, end)
            offset += 1
    return i


def _read_cyrillic(text, i, add) -> int:
    start, n = i, len(text)
    while i < n and ("а" <= text[i].lower() <= "я" or text[i].lower() == "ё"):
        i += 1
    word = text[start:i]
    if word.lower() in WORDS:
        meaning = WORDS[word.lower()]
        add("const", S.Pi, start, i) if meaning == "pi" else add("word", meaning, start, i)
    elif all(letter in CYRILLIC_LOOKALIKES for letter in word.lower()) and len(word) <= 3:
        for offset, letter in enumerate(word.lower()):
            if CYRILLIC_LOOKALIKES[letter] == "e":
                add("const", S.Exp1, start + offset, start + offset + 1)
            else:
                add("var", CYRILLIC_LOOKALIKES[letter], start + offset, start + offset + 1)
    else:
        raise AnswerSyntaxError(f"Не понятно слово «{word}»")
    return i


# --- Building SymPy objects with limits ----------------------------------------------------


def _digits(number: sympy.Rational) -> float:
    """Decimal digits of a rational's larger part (numerator or denominator)."""
    biggest = max(abs(int(number.p)), int(number.q))
    return biggest.bit_length() * 0.30103


def _root_digits(expression) -> float:
    """Digits under the roots of numbers in `expression`: SymPy merges √a·√b into √(ab) and
    factors what is under a root, which takes seconds for numbers of hundreds of digits."""
    if expression.is_Atom:
        return 0.0
    return sum(
        _digits(power.base)
        for power in expression.atoms(sympy.Pow)
        if power.base.is_Rational and power.exp.is_Rational and not power.exp.is_Integer
    )


def _power(base, exponent):
    if exponent.is_Rational:
        p, q = abs(int(exponent.p)), int(exponent.q)
        if p > MAX_EXPONENT or q > MAX_ROOT_DEGREE:
            raise AnswerSyntaxError(f"Слишком большой показатель степени (больше {MAX_EXPONENT})")
        if base == 0 and exponent < 0:
            raise AnswerSyntaxError("Деление на ноль")
        numbers = [base] if base.is_Rational else base.atoms(sympy.Rational)
        largest = max((_digits(number) for number in numbers), default=0.0)
        if largest * p / q > MAX_RESULT_DIGITS:
            raise AnswerSyntaxError(f"Слишком большое число (больше {MAX_RESULT_DIGITS} цифр)")
        if q > 1 and _digits_under_root(base) > MAX_ROOT_DIGITS:
            raise AnswerSyntaxError(f"Слишком большое число под корнем (больше {MAX_ROOT_DIGITS} цифр)")
    # SymPy simplifies a root of a symbolic base by asking its assumptions (is x² ≥ 0?), the
    # costliest step of a parse; the value is the same unsimplified.
    return sympy.Pow(base, exponent, evaluate=not (base.free_symbols and not exponent.is_Integer))


def _digits_under_root(base) -> float:
    if base.is_Rational:
        return _digits(base)
    return _root_digits(base) + max((_digits(r) for r in base.atoms(sympy.Rational)), default=0.0)


def _product(a, b):
    if _root_digits(a) + _root_digits(b) > MAX_ROOT_DIGITS:
        raise AnswerSyntaxError(f"Слишком большое число под корнем (больше {MAX_ROOT_DIGITS} цифр)")
    return a * b


def _quotient(a, b):
    if b == 0:  # what is identically zero SymPy has already made 0 (x − x, sin π)
        raise AnswerSyntaxError("Деление на ноль")
    return _product(a, _power(b, S.NegativeOne))


def _real_cube_root(x):
    if x.is_number and x.is_negative:
        return -_power(-x, sympy.Rational(1, 3))
    if x.is_number:
        return _power(x, sympy.Rational(1, 3))
    return sympy.sign(x) * _power(sympy.Abs(x), sympy.Rational(1, 3))


# --- The parser ------------------------------------------------------------------------------

ATOM_STARTS = {"num", "var", "const", "func"}


class _Parser:
    def __init__(self, tokens: list[Token], *, drop_indices: bool = False):
        self.tokens, self.index, self.depth, self.open_bars = tokens, 0, 0, 0
        self.drop_indices = drop_indices  # equations: x₁ and x₂ are roots of x
        # What the answer divides by: SymPy cancels x/x and (x−1)²/(x−1) as it builds them,
        # and an equation must not gain the roots of its denominators.
        self.denominators: list = []

    def note_denominator(self, value):
        if value.free_symbols:
            self.denominators.append(value)

    # Tokens
    def peek(self, offset=0) -> Token | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def at(self, *values, offset=0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind in ("op", "word") and token.value in values

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, value, hint):
        if not self.at(value):
            raise AnswerSyntaxError(hint)
        return self.take()

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerSyntaxError("Слишком много вложенных скобок, степеней или функций")

    def unexpected(self) -> AnswerSyntaxError:
        token = self.peek()
        if token is None:
            return AnswerSyntaxError("Ответ обрывается: не хватает числа или выражения в конце")
        return AnswerSyntaxError(f"Не понятно «{token.text}» в позиции {token.position}")

    def done(self) -> bool:
        return self.index >= len(self.tokens)

    # Expressions
    def expression(self):
        self.enter()
        value = self.term()
        while self.at("+", "-"):
            sign = self.take().value
            right = self.term()
            value = value + right if sign == "+" else value - right
        self.depth -= 1
        return value

    def term(self):
        value = self.unary()
        while True:
            if self.at("*", "/"):
                operator = self.take().value
                right = self.unary()
                if operator == "/":
                    self.note_denominator(right)
                value = _product(value, right) if operator == "*" else _quotient(value, right)
            elif self.starts_factor():
                previous, token = self.tokens[self.index - 1], self.peek()
                if previous.kind == "num" and token.kind == "num":
                    raise AnswerSyntaxError(f"Между числами «{previous.text}» и «{token.text}» нет знака действия")
                value = _product(value, self.power())
            else:
                return value

    def starts_factor(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind in ATOM_STARTS:
            return True
        if token.kind == "op":
            return token.value in ("(", "[", "√", "∛") or (token.value == "|" and self.open_bars == 0)
        return False

    def unary(self):
        if self.at("+", "-"):
            sign = self.take().value
            self.enter()
            value = self.unary()
            self.depth -= 1
            return -value if sign == "-" else value
        return self.power()

    def power(self):
        base = self.postfix()
        if self.at("^"):
            self.take()
            self.enter()
            if self.done():
                raise AnswerSyntaxError("После «^» нет показателя степени")
            exponent = self.unary()
            self.depth -= 1
            if exponent.is_Number and exponent < 0:
                self.note_denominator(base)
            return _power(base, exponent)
        return base

    def postfix(self):
        value = self.atom()
        while True:
            token = self.peek()
            if token is not None and token.kind == "sup":
                self.take()
                if token.value.is_negative:
                    self.note_denominator(value)
                value = _power(value, token.value)
            elif self.at("°"):
                self.take()
                value = _product(value, S.Pi / 180)
            else:
                return value

    def atom(self):
        token = self.peek()
        if token is None:
            raise self.unexpected()
        if token.kind == "num":
            self.take()
            return token.value
        if token.kind == "var":
            self.take()
            return self.variable(token)
        if token.kind == "const":
            self.take()
            return token.value
        if token.kind == "func":
            self.take()
            return self.function(token)
        if self.at("(", "["):
            return self.group()
        if self.at("|"):
            opening = self.take()
            self.open_bars += 1
            self.enter()
            value = self.expression()
            self.depth -= 1
            self.open_bars -= 1
            self.expect("|", f"Модуль, открытый в позиции {opening.position}, не закрыт: нет второй «|»")
            return sympy.Abs(value)
        if self.at("√", "∛"):
            sign = self.take()
            if self.done():
                raise AnswerSyntaxError(f"После «{sign.text}» нет подкоренного выражения")
            self.enter()
            radicand = self.unary()
            self.depth -= 1
            return _power(radicand, S.Half) if sign.value == "√" else _real_cube_root(radicand)
        if self.at("oo"):
            raise AnswerSyntaxError("Бесконечность бывает только концом промежутка")
        raise self.unexpected()

    def group(self):
        opening = self.take()
        closing = ")" if opening.value == "(" else "]"
        if self.at(closing):
            raise AnswerSyntaxError(f"Пустые скобки в позиции {opening.position}")
        saved_bars, self.open_bars = self.open_bars, 0
        value = self.expression()
        self.open_bars = saved_bars
        if not self.at(closing):
            if self.done():
                raise AnswerSyntaxError(f"Скобка, открытая в позиции {opening.position}, не закрыта")
            raise self.unexpected()
        self.take()
        return value

    def variable(self, token: Token):
        letter = name = str(token.value)
        if len(token.text) > 1 and token.text[1:].isdigit():
            name = f"{name}_{token.text[1:]}"
        if self.at("_"):
            self.take()
            index = self.peek()
            if index is None or index.kind not in ("num", "var"):
                raise AnswerSyntaxError(f"После «{token.text}_» нет индекса")
            self.take()
            name = f"{name}_{index.text}"
        elif self.peek() is not None and self.peek().kind == "sub":
            name = f"{name}_{self.take().value}"
        return sympy.Symbol(letter if self.drop_indices else name)

    def function(self, token: Token):
        name = token.value
        exponent = base = None
        if name == "log":
            if self.peek() is not None and self.peek().kind == "sub":
                base = sympy.Integer(int(self.take().value))
            elif self.at("_"):
                self.take()
                self.enter()
                base = self.atom()
                self.depth -= 1
            else:
                raise AnswerSyntaxError("Укажите основание логарифма: log₂8, log_2(8); или ln, lg")
            if base.is_number and (base.is_positive is False or base == 1):
                raise AnswerSyntaxError("Основание логарифма должно быть положительным и не равным 1")
        if self.peek() is not None and self.peek().kind == "sup":
            exponent = self.take().value
        elif self.at("^"):
            self.take()
            self.enter()
            exponent = self.postfix()
            self.depth -= 1
        self.enter()
        argument = self.argument(token)
        self.depth -= 1
        if name == "log":
            value = sympy.log(argument, base)
        elif name == "cbrt":
            value = _real_cube_root(argument)
        elif name == "sqrt":
            value = _power(argument, S.Half)
        else:
            value = FUNCTIONS[name](argument)
        return _power(value, exponent) if exponent is not None else value

    def argument(self, function: Token):
        if self.at("(", "["):
            return self.group()
        sign = 1
        if self.at("-", "+"):
            sign = -1 if self.take().value == "-" else 1
        if not self.starts_factor():
            raise AnswerSyntaxError(f"После «{function.text}» нет аргумента")
        value = self.power()
        while self.starts_factor() and self.peek().kind != "func":
            value = _product(value, self.power())
        return sign * value


def _check_defined(value, what="Выражение"):
    if value.has(S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity):
        raise AnswerSyntaxError(f"{what} не определено: деление на ноль?")
    return value


def _parse_expression(text: str):
    return _parse_tokens(tokenize(text))


def _parse_tokens(tokens, *, drop_indices=False, denominators=None):
    parser = _Parser(tokens, drop_indices=drop_indices)
    if denominators is not None:
        parser.denominators = denominators
    if parser.done():
        raise AnswerSyntaxError("Пустой ответ")
    value = parser.expression()
    if not parser.done():
        token = parser.peek()
        if token.value in (")", "]"):
            raise AnswerSyntaxError(f"Лишняя закрывающая скобка в позиции {token.position}")
        if token.value == "=":
            raise AnswerSyntaxError("Знак «=» здесь не нужен: запишите только ответ")
        if token.value == ";":
            raise AnswerSyntaxError(
                f"Ожидался один ответ, а в позиции {token.position} разделитель «{token.text}»; "
                "запятая внутри числа пишется без пробелов: 0,5"
            )
        raise parser.unexpected()
    return _check_defined(value)


# --- Numeric evaluation ----------------------------------------------------------------------

_mp = mpmath.MPContext()
_mp.prec = PRECISION_BITS


class _Undefined(Exception):
    """The expression has no (finite) value at this point."""


def _bounded(value):
    if not _mp.isfinite(value) or _mp.mag(value) > MAX_MAGNITUDE_BITS:
        raise _Undefined
    return value


def _evaluate(expression, values: dict):
    """The value of a SymPy expression built by the parser, as an mpmath complex number;
    _Undefined where it has none, _CannotCheck for a node this walker does not know."""
    if expression.is_Rational:
        return _mp.mpf(int(expression.p)) / int(expression.q)
    if expression.is_Symbol:
        return values[expression]
    if expression is S.Pi:
        return _mp.pi
    if expression is S.Exp1:
        return _mp.e
    if expression is S.ImaginaryUnit:
        return _mp.mpc(0, 1)
    args = [_evaluate(argument, values) for argument in expression.args]
    try:
        if expression.is_Add:
            return _bounded(_mp.fsum(args))
        if expression.is_Mul:
            result = _mp.mpf(1)
            for argument in args:
                result = _bounded(result * argument)
            return result
        if expression.is_Pow:
            return _bounded(_raise(*args))
        function = _MPMATH_FUNCTIONS.get(type(expression))
        if function is None:
            raise _CannotCheck("Не удалось вычислить выражение")
        argument = args[0]
        if type(expression) in _PERIODIC and (abs(_mp.im(argument)) > 1000 or abs(_mp.re(argument)) > 10**8):
            raise _Undefined
        return _bounded(function(argument))
    except (ZeroDivisionError, ValueError, OverflowError) as error:
        raise _Undefined from error


def _raise(base, exponent):
    if base == 0:
        if _mp.re(exponent) > 0:
            return _mp.mpf(0)
        raise _Undefined
    # |b^e| ≤ 2^(|e|·(|log₂|b|| + π/ln 2)): refuse before computing what would pass the bound
    # (mag is the binary exponent, cheaper than a logarithm).
    if abs(exponent) * (abs(_mp.mag(base)) + 5) > MAX_MAGNITUDE_BITS:
        raise _Undefined
    if _mp.im(exponent) == 0 and _mp.isint(_mp.re(exponent)):
        return _mp.power(base, int(_mp.re(exponent)))
    return _mp.power(base, exponent)


def _exp(z):
    if _mp.re(z) > MAX_MAGNITUDE_BITS / 2:
        raise _Undefined
    return _mp.exp(z)


_PERIODIC = {sympy.sin, sympy.cos, sympy.tan, sympy.cot}
_MPMATH_FUNCTIONS = {
    sympy.exp: _exp,
    sympy.log: _mp.log,
    sympy.sin: _mp.sin,
    sympy.cos: _mp.cos,
    sympy.tan: _mp.tan,
    sympy.cot: _mp.cot,
    sympy.asin: _mp.asin,
    sympy.acos: _mp.acos,
    sympy.atan: _mp.atan,
    sympy.acot: _mp.acot,
    sympy.Abs: lambda z: _mp.mpf(abs(z)),
    sympy.sign: lambda z: _mp.sign(_mp.re(z)) if _mp.im(z) == 0 else _mp.sign(z),
}


def _is_real(value) -> bool:
    return abs(_mp.im(value)) <= RELATIVE_EPSILON * max(1, abs(value))


def _close(a, b, tolerance=None) -> bool:
    if tolerance is not None:
        return abs(a - b) <= tolerance * (1 + RELATIVE_EPSILON)
    return abs(a - b) <= RELATIVE_EPSILON * max(1, abs(a), abs(b))


def _constant_value(expression, what="Значение"):
    """The real value of a constant expression; AnswerSyntaxError when it has none."""
    try:
        value = _evaluate(expression, {})
    except _Undefined as error:
        raise AnswerSyntaxError(f"{what} не определено или слишком велико") from error
    if not _is_real(value):
        raise AnswerSyntaxError(f"{what} не является действительным числом (корень из отрицательного числа?)")
    return _mp.re(value)


def _points(variables) -> list[dict]:
    """POINTS assignments of values to `variables`: fixed, pseudo-random, ±[0.3; 3], each
    variable its own, so that the same answer always gets the same verdict."""
    generator = random.Random(20_261_201)
    points = []
    for _point in range(POINTS):
        values = {}
        for variable in variables:
            magnitude = _mp.mpf(generator.randrange(300_000, 3_000_000)) / 1_000_000
            values[variable] = magnitude if generator.random() < 0.5 else -magnitude
        points.append(values)
    return points


def _values_at_points(expression, points):
    values = []
    for point in points:
        try:
            value = _evaluate(expression, point)
            values.append(_mp.re(value) if _is_real(value) else None)
        except _Undefined:
            values.append(None)
    return values


def _variables(*expressions) -> list:
    variables = sorted(set().union(*(e.free_symbols for e in expressions)), key=str)
    if len(variables) > MAX_VARIABLES:
        raise AnswerSyntaxError(f"Слишком много переменных (больше {MAX_VARIABLES})")
    return variables


def _expressions_equal(a, b) -> bool:
    points = _points(_variables(a, b))
    compared = 0
    for left, right in zip(_values_at_points(a, points), _values_at_points(b, points), strict=True):
        if left is None or right is None:
            continue
        if not _close(left, right):
            return False
        compared += 1
    if compared < MIN_POINTS and (a.free_symbols or b.free_symbols):
        raise _CannotCheck("Не удалось сравнить ответы: выражения почти нигде не определены")
    if compared == 0:
        raise _CannotCheck("Не удалось сравнить ответы: значение не определено")
    return True


# --- Kinds -----------------------------------------------------------------------------------

_NUMBER_WITH_UNIT = re.compile(r"([+\-−–]?\s*[0-9]+(?:[.,][0-9]+)?)\s*[%°]")
_ANSWER_PREFIX = re.compile(r"^\s*(ответ\s*:?\s*)?([a-zA-Zа-яА-ЯёЁ]\s*=(?!=))?", re.IGNORECASE)


def _parse_number(text: str):
    text = _ANSWER_PREFIX.sub("", text, count=1)
    with_unit = _NUMBER_WITH_UNIT.fullmatch(text.strip())
    if with_unit:
        text = with_unit.group(1)
    value = _parse_expression(text)
    if value.free_symbols:
        name = sorted(str(symbol) for symbol in value.free_symbols)[0]
        raise AnswerSyntaxError(f"Ожидалось число, а в ответе есть переменная {name}")
    _constant_value(value)
    return value


def _value_reading(text: str) -> tuple:
    """«30°» is also π/6 and «50%» also 1/2: a unit mark read as a value, besides the number
    it marks (the reading parse gives)."""
    if not _NUMBER_WITH_UNIT.fullmatch(text.strip()):
        return ()
    try:
        return (_parse_expression(text.strip().replace("%", "/100")),)
    except AnswerSyntaxError:
        return ()


def _numbers_equal(expected, given, tolerance) -> bool:
    if tolerance is None and expected.is_Rational and given.is_Rational:
        return expected == given
    if tolerance is None and (
        (expected.is_Rational and given.is_rational is False) or (given.is_Rational and expected.is_rational is False)
    ):
        return False
    if tolerance is not None and expected.is_Rational and given.is_Rational:
        return abs(expected - given) <= tolerance
    return _close(_constant_value(expected), _constant_value(given), _mp_tolerance(tolerance))


def _mp_tolerance(tolerance):
    return None if tolerance is None else _mp.mpf(int(tolerance.p)) / int(tolerance.q)


# Equations


@dataclass(frozen=True)
class Equation:
    """One alternative of an equation answer: left = right, `difference` = left − right."""

    left: object
    right: object
    denominators: tuple = ()  # no root of these is a root of the equation

    @property
    def difference(self):
        return self.left - self.right


@dataclass(frozen=True)
class EquationAnswer:
    """Alternatives joined by «или»: equations, or known solution sets (roots written as
    numbers, «нет корней», «любое число»)."""

    equations: tuple[Equation, ...]
    solutions: object  # a SymPy set of what was written as roots or phrases

    def variables(self):
        return set().union(
            *(equation.difference.free_symbols for equation in self.equations),
            *(d.free_symbols for equation in self.equations for d in equation.denominators),
        )


_EMPTY_PHRASES = {"неткорней", "корнейнет", "нетрешений", "решенийнет", "нет", "пустоемножество", "∅", "{}"}
_ALL_PHRASES = {"любоечисло", "xлюбоечисло", "хлюбоечисло", "r", "xr", "хr", "xℝ", "ℝ", "всечисла", "xвсечисла"}


def _phrase(text: str) -> str:
    folded = unicodedata.normalize("NFC", text).lower().replace("ё", "е").replace("∈", "")
    return re.sub(r"[\s\-−–—:.,!]+", "", folded)


def _parse_equation(text: str) -> EquationAnswer:
    phrase = _phrase(text)
    if phrase in _EMPTY_PHRASES:
        return EquationAnswer((), S.EmptySet)
    if phrase in _ALL_PHRASES:
        return EquationAnswer((), S.Reals)
    tokens = tokenize(text, indexed_variables=True)
    parts, current = [], []
    for token in tokens:
        if (token.kind == "word" and token.value == "or") or (token.kind == "op" and token.value == ";"):
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    equations, roots = [], []
    for part in parts:
        if not part:
            raise AnswerSyntaxError("Пустая часть ответа: лишние «;» или «или»")
        if any(t.kind == "word" for t in part):
            word = next(t for t in part if t.kind == "word")
            raise AnswerSyntaxError(f"Не понятно «{word.text}» в позиции {word.position}")
        equal_signs = [k for k, t in enumerate(part) if t.kind == "op" and t.value == "="]
        if len(equal_signs) > 1:
            raise AnswerSyntaxError("В уравнении больше одного знака «=»; варианты разделяйте словом «или»")
        if any(t.kind == "op" and t.value in ("<", ">", "<=", ">=", "!=") for t in part):
            raise AnswerSyntaxError("Ожидалось уравнение или корни, а не неравенство")
        if not equal_signs:
            roots.extend(_parse_roots(part))
            continue
        k = equal_signs[0]
        left_tokens, right_tokens = part[:k], part[k + 1 :]
        if not left_tokens or not right_tokens:
            raise AnswerSyntaxError("У знака «=» нет одной из частей уравнения")
        denominators = []
        left = _parse_tokens(left_tokens, drop_indices=True, denominators=denominators)
        if left.is_Symbol and right_tokens[0].kind == "op" and right_tokens[0].value == "±":
            values = _parse_roots(right_tokens)
            equations.extend(Equation(left, value) for value in values)
            continue
        right = _parse_tokens(right_tokens, drop_indices=True, denominators=denominators)
        _check_defined(left - right)
        equations.append(Equation(left, right, tuple(denominators)))
    for equation in equations:
        if not equation.difference.free_symbols and _constant_value(equation.difference) != 0:
            raise AnswerSyntaxError("В уравнении нет неизвестного, и оно неверно")
    return EquationAnswer(tuple(equations), sympy.FiniteSet(*roots) if roots else S.EmptySet)


def _parse_roots(tokens):
    """`2`, `±2`, `-1,5`: the roots a part without «=» names."""
    if tokens[0].kind == "op" and tokens[0].value == "±":
        value = _parse_tokens(tokens[1:], drop_indices=True) if len(tokens) > 1 else None
        if value is None:
            raise AnswerSyntaxError("После «±» нет числа")
        pair = [value, -value]
    else:
        pair = [_parse_tokens(tokens, drop_indices=True)]
    for value in pair:
        if value.free_symbols:
            raise AnswerSyntaxError("Корень уравнения должен быть числом: пишите «x = 2» или «2»")
        _constant_value(value, "Корень")
    return pair


def _solution_set(answer: EquationAnswer, variable, *, learner=False):
    """The real solution set of an answer in one unknown."""
    result = answer.solutions
    for equation in answer.equations:
        solutions = _solve(equation.difference, variable, learner=learner)
        for denominator in equation.denominators:
            poles = _polynomial_roots(denominator, variable)
            if isinstance(poles, set) and poles:
                solutions = sympy.Complement(solutions, sympy.FiniteSet(*poles))
        result = sympy.Union(result, solutions)
    return result


def _degree_bound(expression, variable) -> int:
    """An upper bound of the degree in `variable` of a rational expression, read off the
    tree without expanding it ((x+1)^1000 is not expanded to find out)."""
    if expression == variable:
        return 1
    if not expression.has(variable):
        return 0
    if expression.is_Add:
        return max(_degree_bound(argument, variable) for argument in expression.args)
    if expression.is_Mul:
        return sum(_degree_bound(argument, variable) for argument in expression.args)
    if expression.is_Pow and expression.exp.is_Integer:
        return abs(int(expression.exp)) * _degree_bound(expression.base, variable)
    return MAX_DEGREE + 1


def _solve(difference, variable, *, learner=False):
    """The real solutions of difference = 0. Rational equations are solved exactly (the
    roots of the numerator's polynomial, of degree ≤ MAX_DEGREE, but the denominator's);
    others with SymPy's solveset — only for the task's own answer, computed once and kept:
    solveset can take seconds, and a learner who answers with such an equation is asked
    for its roots instead."""
    if variable is None or variable not in difference.free_symbols:
        return S.Reals if _constant_value(difference) == 0 else S.EmptySet
    constant, linear = difference.as_independent(variable, as_Add=True)
    slope = linear / variable
    if not slope.has(variable):  # a·x + b = 0, as in «x = ∛2», whatever the numbers
        return sympy.FiniteSet(_check_defined(-constant / slope, "Корень"))
    if (
        difference.is_rational_function(variable)
        and _degree_bound(difference, variable) <= MAX_DEGREE
        and sympy.count_ops(difference) <= MAX_SOLVE_OPS * 4
    ):
        numerator, denominator = sympy.fraction(sympy.together(difference))
        roots = _polynomial_roots(numerator, variable)
        if roots is not None:
            poles = _polynomial_roots(denominator, variable) if denominator.has(variable) else set()
            if poles is not None:
                if roots == "all":
                    return sympy.Complement(S.Reals, sympy.FiniteSet(*poles))
                return sympy.FiniteSet(*[root for root in roots if not any(_same_number(root, p) for p in poles)])
    if learner:
        raise AnswerSyntaxError(f"Запишите корни уравнения: {variable} = … (или «нет корней»)")
    if sympy.count_ops(difference) > MAX_SOLVE_OPS:
        raise _CannotCheck("Уравнение слишком сложное для проверки")
    try:
        solutions = sympy.solveset(difference, variable, S.Reals)
    except (TypeError, ValueError, NotImplementedError) as error:
        raise _CannotCheck("Не удалось найти все корни уравнения: такой ответ проверить нельзя") from error
    if not _is_checkable_set(solutions):
        raise _CannotCheck("Не удалось найти все корни уравнения: такой ответ проверить нельзя")
    return solutions


def _polynomial_roots(polynomial, variable):
    """The distinct real roots of a polynomial with rational coefficients, "all" for the
    zero polynomial, None when it is not one we can solve exactly."""
    try:
        poly = sympy.Poly(polynomial, variable)
    except sympy.PolynomialError:
        return None
    if poly.is_zero:
        return "all"
    if poly.get_domain() not in (sympy.ZZ, sympy.QQ) or poly.degree() > MAX_DEGREE:
        return None
    if max(_digits(sympy.Rational(c)) for c in poly.coeffs()) > MAX_ROOT_DIGITS:
        return None
    return set(poly.real_roots())


def _same_number(a, b, tolerance=None) -> bool:
    return _close(_real_number(a), _real_number(b), tolerance)


def _real_number(value):
    if isinstance(value, sympy.CRootOf):
        return _mp.mpf(str(value.evalf(60)))
    return _constant_value(value)


def _is_checkable_set(value) -> bool:
    if isinstance(value, sympy.Union):
        return all(_is_checkable_set(part) for part in value.args)
    if isinstance(value, sympy.Complement):
        return value.args[0] == S.Reals and isinstance(value.args[1], sympy.FiniteSet)
    return isinstance(value, (sympy.FiniteSet, sympy.Interval)) or value in (S.EmptySet, S.Reals)


def _equations_equal(expected: EquationAnswer, given: EquationAnswer, tolerance) -> bool:
    variables = expected.variables() | given.variables()
    if len(variables) <= 1:
        variable = next(iter(variables), None)
        return _sets_equal(
            _expected_solutions(expected, variable), _solution_set(given, variable, learner=True), tolerance
        )
    expected_variables = expected.variables()
    if len(expected_variables) == 1 and given.variables() - expected_variables:
        unknown = sorted(map(str, given.variables() - expected_variables))[0]
        raise AnswerSyntaxError(f"В ответе неизвестное {unknown}, а в задаче — {next(iter(expected_variables))}")
    if (
        len(expected.equations) != 1
        or len(given.equations) != 1
        or expected.solutions is not S.EmptySet
        or given.solutions is not S.EmptySet
    ):
        raise _CannotCheck("Уравнения с несколькими неизвестными сравниваются только по одному")
    return _proportional(expected.equations[0].difference, given.equations[0].difference)


def _expected_solutions(expected: EquationAnswer, variable):
    return _cached_solution_set(expected, variable)


@lru_cache(maxsize=512)
def _cached_solution_set(expected: EquationAnswer, variable):
    return _solution_set(expected, variable)


def _proportional(a, b) -> bool:
    """a = c·b with a constant c ≠ 0 at every counted point: the same zero set."""
    points = _points(_variables(a, b))
    ratio, compared = None, 0
    for left, right in zip(_values_at_points(a, points), _values_at_points(b, points), strict=True):
        if left is None or right is None:
            continue
        if abs(right) <= RELATIVE_EPSILON or abs(left) <= RELATIVE_EPSILON:
            if not (abs(right) <= RELATIVE_EPSILON and abs(left) <= RELATIVE_EPSILON):
                return False
            continue
        if ratio is None:
            ratio = left / right
        elif not _close(left / right, ratio):
            return False
        compared += 1
    if compared < MIN_POINTS:
        raise _CannotCheck("Не удалось сравнить уравнения: они почти нигде не определены")
    return True


# Sets and intervals


def _parse_set(text: str):
    phrase = _phrase(text)
    if phrase in _EMPTY_PHRASES:
        return S.EmptySet
    if phrase in _ALL_PHRASES:
        return S.Reals
    tokens = tokenize(text)
    parser = _SetParser(tokens)
    if parser.done():
        raise AnswerSyntaxError("Пустой ответ")
    return parser.union()


class _SetParser(_Parser):
    def union(self):
        if self.peek() and self.peek().kind == "var" and self.at("in", offset=1):
            self.index += 2
        result = self.item()
        while not self.done():
            if self.at("U", "or", ";") or (self.peek().kind == "var" and self.peek().value in "Uu"):
                self.take()
            else:
                raise self.unexpected()
            if self.done():
                raise AnswerSyntaxError("После знака объединения ничего нет")
            result = sympy.Union(result, self.item())
        return result

    def item(self):
        if self.at("{"):
            return self.braces()
        if self.at("(", "["):
            return self.interval()
        if self.at("empty"):
            self.take()
            return S.EmptySet
        if self.at("R") or (self.peek().kind == "var" and self.peek().value == "R" and not self.at("<", offset=1)):
            self.take()
            return S.Reals
        return self.inequality()

    def braces(self):
        opening = self.take()
        elements = []
        while not self.at("}"):
            if self.done():
                raise AnswerSyntaxError(f"Фигурная скобка, открытая в позиции {opening.position}, не закрыта")
            elements.append(self.number())
            if self.at(";"):
                self.take()
            elif self.done():
                raise AnswerSyntaxError(f"Фигурная скобка, открытая в позиции {opening.position}, не закрыта")
            elif not self.at("}"):
                raise self.unexpected()
        self.take()
        return sympy.FiniteSet(*elements)

    def number(self):
        value = _check_defined(self.expression(), "Число")
        if value.free_symbols:
            raise AnswerSyntaxError("Элементы множества и концы промежутков должны быть числами")
        _constant_value(value, "Число")
        return value

    def bound(self, side):
        sign = None
        if self.at("+", "-") and self.at("oo", offset=1):
            sign = self.take().value
        if self.at("oo"):
            self.take()
            if (side == "left" and sign != "-") or (side == "right" and sign == "-"):
                raise AnswerSyntaxError("Слева у промежутка может быть только −∞, справа — только +∞")
            return S.NegativeInfinity if side == "left" else S.Infinity
        return self.number()

    def interval(self):
        opening = self.take()
        left = self.bound("left")
        if not self.at(";"):
            if self.at(")", "]") and opening.value == "(":
                raise AnswerSyntaxError(
                    "Концы промежутка разделяйте точкой с запятой: (1; 3). Запятая между цифрами — десятичная"
                )
            raise self.unexpected() if not self.done() else AnswerSyntaxError("Промежуток не закрыт скобкой")
        self.take()
        right = self.bound("right")
        if not self.at(")", "]"):
            raise self.unexpected() if not self.done() else AnswerSyntaxError("Промежуток не закрыт скобкой")
        closing = self.take()
        if (left.is_infinite and opening.value == "[") or (right.is_infinite and closing.value == "]"):
            raise AnswerSyntaxError("Бесконечность не входит в промежуток: у неё скобка всегда круглая")
        if not left.is_infinite and not right.is_infinite and _constant_value(left) > _constant_value(right):
            raise AnswerSyntaxError("Левый конец промежутка больше правого")
        return sympy.Interval(left, right, opening.value == "(", closing.value == ")")

    def inequality(self):
        """x < a, a ≤ x, a < x ≤ b, x ≠ a; or a bare number, an element of the set."""
        first = self.expression()
        if not self.at("<", ">", "<=", ">=", "!=", "="):
            if first.free_symbols:
                raise AnswerSyntaxError("Ожидалось множество, промежуток или неравенство")
            _constant_value(_check_defined(first, "Число"), "Число")
            return sympy.FiniteSet(first)
        sides, operators = [first], []
        while self.at("<", ">", "<=", ">=", "!=", "="):
            operators.append(self.take().value)
            if self.done():
                raise AnswerSyntaxError("Неравенство обрывается")
            sides.append(self.expression())
        variables = [side for side in sides if side.free_symbols]
        if len(variables) != 1 or not variables[0].is_Symbol:
            raise AnswerSyntaxError("В неравенстве должна быть одна переменная, отдельно от чисел: x ≥ 2, 1 < x ≤ 3")
        result = S.Reals
        for (left, right), operator in zip(itertools.pairwise(sides), operators, strict=True):
            result = sympy.Intersection(result, self._simple_inequality(left, operator, right))
        return result

    def _simple_inequality(self, left, operator, right):
        if left.free_symbols:
            variable_left, value = True, right
        else:
            variable_left, value = False, left
        if value.free_symbols:
            raise AnswerSyntaxError("В неравенстве должна быть одна переменная")
        _constant_value(_check_defined(value, "Число"), "Число")
        if operator == "=":
            return sympy.FiniteSet(value)
        if operator == "!=":
            return sympy.Union(sympy.Interval.open(-S.Infinity, value), sympy.Interval.open(value, S.Infinity))
        if not variable_left:  # a < x is x > a
            operator = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[operator]
        return {
            "<": sympy.Interval.open(-S.Infinity, value),
            "<=": sympy.Interval(-S.Infinity, value, True, False),
            ">": sympy.Interval.open(value, S.Infinity),
            ">=": sympy.Interval(value, S.Infinity, False, True),
        }[operator]


def _components(value) -> list[tuple]:
    """A set as sorted (left, right, left_open, right_open) with mpmath ends (±inf)."""
    if value is S.EmptySet:
        return []
    if value is S.Reals:
        return [(-_mp.inf, _mp.inf, True, True)]
    if isinstance(value, sympy.Union):
        parts = [part for arg in value.args for part in _components(arg)]
    elif isinstance(value, sympy.FiniteSet):
        parts = [(v, v, False, False) for v in (_real_number(e) for e in value.args)]
    elif isinstance(value, sympy.Interval):
        left = -_mp.inf if value.left is S.NegativeInfinity else _real_number(value.left)
        right = _mp.inf if value.right is S.Infinity else _real_number(value.right)
        parts = [(left, right, bool(value.left_open), bool(value.right_open))]
    elif isinstance(value, sympy.Complement) and value.args[0] is S.Reals:
        cuts = sorted({_real_number(e) for e in value.args[1].args})
        ends = [-_mp.inf, *cuts, _mp.inf]
        parts = [(a, b, True, True) for a, b in itertools.pairwise(ends) if a != b]
    else:
        raise _CannotCheck("Не удалось сравнить множества")
    return sorted(parts, key=lambda part: (part[0], part[2]))


def _sets_equal(expected, given, tolerance) -> bool:
    # SymPy has merged what touches or overlaps (exact ends); compare what is left, end by end.
    a, b = _components(expected), _components(given)
    if len(a) != len(b):
        return False
    for (l1, r1, lo1, ro1), (l2, r2, lo2, ro2) in zip(a, b, strict=True):
        if (lo1, ro1) != (lo2, ro2):
            return False
        for x, y in ((l1, l2), (r1, r2)):
            if _mp.isinf(x) or _mp.isinf(y):
                if x != y:
                    return False
            elif not _close(x, y, tolerance):
                return False
    return True


# Text


def _normalise_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return "".join(character for character in folded if character.isalnum())


# --- Display --------------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SHOWN_NAMES = {
    "asin": "arcsin", "acos": "arccos", "atan": "arctg", "acot": "arcctg", "tan": "tg", "cot": "ctg",
    "log": "ln", "Abs": "abs", "sqrt": "√", "pi": "π", "E": "e", "sign": "sign",
}  # fmt: skip


def show(value) -> str:
    """A SymPy object as a person writes it: x^2 + 2·x + 1, √(2), [1; 3) ∪ {5}."""
    if isinstance(value, EquationAnswer):
        parts = [f"{show(equation.left)} = {show(equation.right)}" for equation in value.equations]
        if value.solutions is not S.EmptySet or not parts:
            parts.append(show(value.solutions))
        return " или ".join(parts)
    if isinstance(value, sympy.Set):
        return _show_set(value)
    text = _Printer({"order": "grlex"}).doprint(value)
    text = re.sub(r"\b(asin|acos|atan|acot|tan|cot|log|Abs|sqrt|pi|E)\b", lambda m: _SHOWN_NAMES[m.group()], text)
    text = re.sub(r"\*\*([0-9]+)\b", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    text = text.replace("**", "^")
    text = re.sub(r"√\(([0-9]+|[a-zπ])\)", r"√\1", text)  # √(2) → √2
    text = re.sub(r"(?<![0-9a-z_√^)])([0-9]+)\*(?=[a-zπ√(])", r"\1", text)  # 2*x → 2x
    text = re.sub(r"abs\(([^()]*)\)\^\(1/3\)\*sign\(\1\)", r"∛(\1)", text)
    text = re.sub(r"\b([0-9]+|[a-z])\^\(1/3\)", r"∛\1", text)
    text = re.sub(r"\(([^()]*)\)\^\(1/3\)", r"∛(\1)", text)
    text = re.sub(r"\babs\(([^()]*)\)", r"|\1|", text)
    text = re.sub(r"\bexp\(([0-9]+|[a-z])\)", r"e^\1", text)
    text = re.sub(r"\bexp\(([^()]*)\)", r"e^(\1)", text)
    return text.replace("*", "·").replace("-", "−")


class _Printer(StrPrinter):
    """Rationals with a finite decimal expansion as decimals with a comma: 1,41 not 141/100."""

    def _print_Rational(self, expr):
        q = int(expr.q)
        twos, fives = (q & -q).bit_length() - 1, 0
        rest = q >> twos
        while rest % 5 == 0:
            rest, fives = rest // 5, fives + 1
        if rest != 1 or q == 1:
            return super()._print_Rational(expr)
        places = max(twos, fives)
        digits = str(abs(int(expr.p)) * 10**places // q).rjust(places + 1, "0")
        sign = "-" if expr.p < 0 else ""
        return f"{sign}{digits[:-places]},{digits[-places:]}"


def _show_set(value) -> str:
    if value is S.EmptySet:
        return "∅"
    if value is S.Reals:
        return "(−∞; +∞)"
    if isinstance(value, sympy.FiniteSet):
        return "{" + "; ".join(show(element) for element in value.args) + "}"
    if isinstance(value, sympy.Interval):
        left = "−∞" if value.left is S.NegativeInfinity else show(value.left)
        right = "+∞" if value.right is S.Infinity else show(value.right)
        return f"{'(' if value.left_open else '['}{left}; {right}{')' if value.right_open else ']'}"
    if isinstance(value, sympy.Union):
        return " ∪ ".join(_show_set(part) for part in value.args)
    return show(sympy.sstr(value))


# --- The public functions ---------------------------------------------------------------------


def parse(kind: str, text: str, *, max_length: int = MAX_ANSWER_LENGTH):
    """`text` read as an answer of `kind`: a SymPy expression (number, expression), an
    EquationAnswer, a SymPy set, or a tuple of normalised text variants. Raises
    AnswerSyntaxError with a Russian hint for a person."""
    if not isinstance(text, str):
        raise AnswerSyntaxError("Пустой ответ")
    if len(text) > max_length:
        raise AnswerSyntaxError(f"Слишком длинный ответ (больше {max_length} символов)")
    text = unicodedata.normalize("NFC", text).rstrip()  # leading spaces kept: positions in hints count them
    if not text.strip():
        raise AnswerSyntaxError("Пустой ответ")
    control = next((c for c in text if unicodedata.category(c) == "Cc" and not c.isspace()), None)
    if control is not None:
        raise AnswerSyntaxError(_symbol_hint(control, text.index(control) + 1))
    if kind == AnswerKind.NUMBER:
        return _parse_number(text)
    if kind == AnswerKind.EXPRESSION:
        return _parse_expression(text)
    if kind == AnswerKind.EQUATION:
        return _parse_equation(text)
    if kind == AnswerKind.SET:
        return _parse_set(text)
    if kind == AnswerKind.TEXT:
        variants = tuple(v for v in (_normalise_text(part) for part in text.split("|")) if v)
        if not variants:
            raise AnswerSyntaxError("В ответе нет ни букв, ни цифр")
        return variants
    raise ValueError(f"Unknown answer kind: {kind!r}")


@lru_cache(maxsize=2048)
def _parse_expected(kind: str, text: str):
    return parse(kind, text, max_length=MAX_EXPECTED_LENGTH)


def _tolerance(tolerance) -> sympy.Rational | None:
    if tolerance is None:
        return None
    if isinstance(tolerance, float):
        tolerance = Decimal(repr(tolerance))
    value = sympy.Rational(str(tolerance))
    if value < 0:
        raise ValueError("A tolerance cannot be negative")
    return value


def check(kind: str, expected: str, given: str, *, tolerance: Decimal | float | None = None) -> Verdict:
    """The verdict on the answer `given` to a task whose answer is `expected`. Never raises
    for anything a learner types; an `expected` answer that cannot be read (the author's
    mistake, which forms should catch with `parse`) is logged and gives no verdict."""
    try:
        expected_value = _parse_expected(kind, expected)
        if kind == AnswerKind.EQUATION and len(expected_value.variables()) == 1:
            # The task's own roots are found once (kept by _cached_solution_set), before
            # the clock starts: the time limit is there for what a learner types.
            _expected_solutions(expected_value, next(iter(expected_value.variables())))
    except (AnswerSyntaxError, _CannotCheck) as error:
        logger.warning("The expected %s answer %r cannot be checked against: %s", kind, expected, error)
        return Verdict(None, "Ответ задачи записан так, что проверить его нельзя: сообщите автору задачи")
    _warm_up()
    started = time.perf_counter()
    verdict = _judge(kind, expected_value, given, _tolerance(tolerance))
    if time.perf_counter() - started > CHECK_TIME_LIMIT:
        logger.warning("Checking a %s answer %r against %r took too long", kind, given, expected)
        return Verdict(None, "Не удалось проверить ответ за отведённое время", verdict.understood_as)
    return verdict


def _judge(kind: str, expected_value, given: str, tolerance) -> Verdict:
    """check()'s verdict once the expected answer is read: the part the time limit covers."""
    try:
        if kind == AnswerKind.TEXT:  # a learner's «|» is not a list of variants
            given_value, understood_as = parse(kind, given.replace("|", " ")), ""
        else:
            given_value = parse(kind, given)
            understood_as = show(given_value)
        if kind == AnswerKind.NUMBER:
            given_value = (given_value, *_value_reading(given))
        correct = _compare(kind, expected_value, given_value, tolerance)
    except AnswerSyntaxError as error:
        return Verdict(None, error.hint)
    except _CannotCheck as error:
        return Verdict(None, str(error))
    except Exception:  # whatever SymPy raises, a learner sees a hint, never an error page
        logger.exception("Checking a %s answer %r failed", kind, given)
        return Verdict(None, "Не удалось проверить ответ: попробуйте записать его иначе")
    return Verdict(correct, "", understood_as)


# SymPy imports parts of itself on their first use (sets, polynomials, printing): a
# process's first check of a kind would spend that inside the time limit (0.7 s seen in CI
# for a first set). One untimed check of each kind, once per process, comes first.
WARM_UP = (
    (AnswerKind.NUMBER, "1/2", "0,5"),
    (AnswerKind.EXPRESSION, "(x+1)^2", "x^2+2x+1"),
    (AnswerKind.EQUATION, "x^2 = 4", "x = 2 или x = -2"),
    (AnswerKind.SET, "(-∞; 2]", "x ≥ 2"),
    (AnswerKind.TEXT, "да", "Да"),
)


@cache
def _warm_up() -> None:
    for kind, expected, given in WARM_UP:
        _judge(kind, _parse_expected(kind, expected), given, None)


def _compare(kind, expected, given, tolerance) -> bool:
    return bool(_compare_values(kind, expected, given, tolerance))


def _compare_values(kind, expected, given, tolerance):
    if kind == AnswerKind.NUMBER:
        return any(_numbers_equal(expected, reading, tolerance) for reading in given)
    if kind == AnswerKind.EXPRESSION:
        return _expressions_equal(expected, given)
    if kind == AnswerKind.EQUATION:
        return _equations_equal(expected, given, _mp_tolerance(tolerance))
    if kind == AnswerKind.SET:
        return _sets_equal(expected, given, _mp_tolerance(tolerance))
    return given[0] in expected


def guess_kind(answer_text: str) -> AnswerKind:
    """«число» when the answer reads as a number, else «текст» (for the data migration of
    existing tasks)."""
    try:
        parse(AnswerKind.NUMBER, answer_text, max_length=MAX_EXPECTED_LENGTH)
    except AnswerSyntaxError:
        return AnswerKind.TEXT
    return AnswerKind.NUMBER
