import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.credit_code import ALPHABET, check_character, is_valid_credit_code

bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", ["9144030071526726XG", "914403001922038216", "91330100799655058B"])
def test_real_codes_are_valid(code):
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038217",  # wrong check character
        "9144030071526726xg",  # lower case
        "9144030071526726X",  # 17 characters
        "9144030071526726XGX",
        "91440300715267I6XG",  # I is not in the alphabet
        "",
        None,
    ],
)
def test_malformed_codes_are_invalid(code):
    assert not is_valid_credit_code(code)


@given(bodies)
def test_a_body_with_its_check_character_is_valid(body):
    assert is_valid_credit_code(body + check_character(body))


@given(bodies, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_changing_one_character_of_the_body_is_caught(body, position, character):
    code = body + check_character(body)
    changed = code[:position] + character + code[position + 1 :]
    assert is_valid_credit_code(changed) == (changed == code)
