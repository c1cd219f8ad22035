from bench.keyword_baseline import parse


def test_keywords_pick_the_intent_with_most_hits():
    assert parse("我的快递到哪了")["intent"]["name"] == "track_order"
    assert parse("能开发票吗")["intent"]["name"] == "ask_invoice"


def test_no_keyword_means_out_of_scope():
    assert parse("今天天气怎么样")["intent"]["name"] == "out_of_scope"


def test_order_and_phone_numbers_are_extracted_with_offsets():
    entities = parse("订单2024111100001 电话13800000001")["entities"]
    assert {(e["entity"], e["value"], e["start"]) for e in entities} == {
        ("order_id", "2024111100001", 2),
        ("phone", "13800000001", 18),
    }
