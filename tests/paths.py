from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
# The files the tests read live in the repository (tests/data/README.md says where they come
# from), so a clone passes without the ../shared folder beside it.
TEST_DATA = PROJECT / "tests" / "data"
