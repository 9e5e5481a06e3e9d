"""The unified social credit code's check character (GB 32100-2015)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.credit_code import ALPHABET, check_character, is_valid, is_valid_credit_code, normalised, problem

# Published codes of real enterprises (and the standard's own example).
REAL_CODES = [
    "91350100M000100Y43",  # the example of GB 32100-2015's guides
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert is_valid(code)
    assert problem(code) is None


@pytest.mark.parametrize("code", REAL_CODES)
def test_changing_one_character_breaks_the_check(code):
    for index in range(18):
        for replacement in "0A9":
            corrupted = code[:index] + replacement + code[index + 1 :]
            if corrupted != code:
                assert not is_valid(corrupted), corrupted


def test_swapping_two_different_neighbours_breaks_the_check():
    code = "914403001922038216"
    swapped = code[:3] + code[4] + code[3] + code[5:]
    assert not is_valid(swapped)


def test_spaces_and_small_letters_are_normalised():
    assert normalised(" 91330100 716105852f ") == "91330100716105852F"
    assert is_valid("91330100716105852f")


def test_the_problem_says_what_is_wrong_in_chinese():
    assert "18 位" in problem("9133010071610585")
    assert "「I」" in problem("91330100716105852I")
    assert "校验位" in problem("91330100716105852E")


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_a_code_with_its_check_character_is_always_valid(first_17):
    assert is_valid(first_17 + check_character(first_17))


# The import's strict question: exactly as written in the file.
strict_bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


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


@given(strict_bodies)
def test_a_body_with_its_check_character_is_valid(body):
    assert is_valid_credit_code(body + check_character(body))


@given(strict_bodies, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_changing_one_character_of_the_body_is_caught(body, position, character):
    code = body + check_character(body)
    changed = code[:position] + character + code[position + 1 :]
    assert is_valid_credit_code(changed) == (changed == code)
