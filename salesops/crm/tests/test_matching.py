import pytest

from salesops.crm.matching import (
    normalize_company_name,
    normalize_email,
    normalize_phone,
    normalize_tax_id,
    ownership_keys,
)


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "0086 13800138000",
        "8613800138000",
        "１３８００１３８０００",
        " (138) 0013-8000 ",
    ],
)
def test_mobile_formats_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+8613800138000"


@pytest.mark.parametrize("raw", ["021-62345678", "(021) 6234 5678", "+86 21 6234 5678", "02162345678"])
def test_landline_formats(raw):
    assert normalize_phone(raw) == "+862162345678"


@pytest.mark.parametrize("raw", ["", "12345", "abc", "1380013800"])
def test_invalid_phones(raw):
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "上海华联超市有限公司",
        "上海华联超市",
        "上海 华联 超市",
        "上海华联超市股份有限公司",
        "上海华联超市有限责任公司",
        "上海华联超市（有限公司）",
    ],
)
def test_chinese_company_suffixes_and_spaces(raw):
    assert normalize_company_name(raw) == "上海华联超市"


@pytest.mark.parametrize(
    "raw", ["ＡＢＣ Trading Co., Ltd.", "abc trading", "ABC TRADING LTD", "ABC Trading Inc.", "ABC-Trading Co.,Ltd"]
)
def test_latin_company_names_full_width_and_suffixes(raw):
    assert normalize_company_name(raw) == "abctrading"


def test_email_and_tax_id():
    assert normalize_email(" Li.Ming@Example.CN ") == "li.ming@example.cn"
    assert normalize_email("not-an-email") is None
    assert normalize_tax_id("91110108551385082Q") == "91110108551385082Q"
    assert normalize_tax_id("9111 0108 5513 8508 2Q") == "91110108551385082Q"
    assert normalize_tax_id("91110108551385082A") is None  # wrong check character


def test_person_name_is_not_a_key():
    keys = ownership_keys(name="王伟", kind="person", phones=["13800138000"])
    assert keys == [("phone", "+8613800138000")]
