import pytest

from config.tests.servers import collect_static


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The static files with their manifest, for the app servers of a module's tests."""
    return collect_static(tmp_path_factory.mktemp("static"))
