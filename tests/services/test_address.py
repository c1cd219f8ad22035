import pytest

from kefu.services.address import parse_address


@pytest.mark.parametrize(
    "text, province, city, address, name, phone",
    [
        ("浙江省杭州市西湖区文三路100号 王五 13700001111", "浙江", "杭州", "西湖区文三路100号", "王五", "13700001111"),
        ("改成上海市浦东新区世纪大道88号", "上海", "上海", "浦东新区世纪大道88号", None, None),
        ("杭州西湖区文三路100号", "浙江", "杭州", "西湖区文三路100号", None, None),
        ("地址：广东深圳南山区科技园路1号，李雷，13912345678", "广东", "深圳", "南山区科技园路1号", "李雷", "13912345678"),
        ("新疆乌鲁木齐市天山区解放北路5号", "新疆", "乌鲁木齐", "天山区解放北路5号", None, None),
    ],
)
def test_an_address_is_split_into_its_parts(text, province, city, address, name, phone):
    parsed = parse_address(text)
    assert (parsed.province, parsed.city, parsed.address, parsed.name, parsed.phone) == (province, city, address, name, phone)


@pytest.mark.parametrize("text", ["", None, "我家", "火星基地1号", "杭州", "浙江杭州市"])
def test_what_cannot_be_delivered_to_is_refused(text):
    assert parse_address(text) is None


def test_a_city_in_the_wrong_province_is_refused():
    assert parse_address("广东省杭州市西湖区文三路100号") is None
