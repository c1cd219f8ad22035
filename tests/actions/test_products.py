from actions.products import ActionCheckStock, ActionProductInfo, ActionSizeAdvice
from tests.actions.conftest import entity, make_tracker, responses, run_action as run, slot_events


def tracker_with(text, entities=(), slots=None, metadata=None):
    return make_tracker(slots, metadata, text=text, intent="ask_product_info", entities=entities)


def test_material_question_is_answered_from_the_products_attributes(shop_backends):
    dispatcher, events = run(ActionProductInfo(), tracker_with("这件T恤是纯棉的吗", [entity("product", "T恤")]))
    assert responses(dispatcher) == ["product_attribute"]
    product = shop_backends.catalogue.get_product(slot_events(events)["current_product_id"])
    assert "T恤" in product.name, "a product named T恤 is preferred to one that only lists it as a search term"
    assert product.attribute("material") in dispatcher.messages[0]["text"]
    assert slot_events(events) == {"current_product_id": product.product_id}


def test_product_from_a_pasted_link(shop_backends):
    dispatcher, _ = run(ActionProductInfo(), tracker_with("https://shop.example/item?id=P4001 这个锅能用电磁炉吗"))
    assert responses(dispatcher) == ["product_attribute"]
    assert "电磁炉" in dispatcher.messages[0]["text"]


def test_product_from_the_channels_metadata(shop_backends):
    dispatcher, _ = run(ActionProductInfo(), tracker_with("能机洗吗", metadata={"product_id": "P1001"}))
    assert responses(dispatcher) == ["product_attribute"]


def test_follow_up_question_refers_to_the_product_discussed(shop_backends):
    dispatcher, _ = run(ActionProductInfo(), tracker_with("多重啊", slots={"current_product_id": "P4001"}))
    assert responses(dispatcher) == ["product_attribute"]
    assert shop_backends.catalogue.get_product("P4001").attribute("weight") in dispatcher.messages[0]["text"]


def test_question_about_nothing_in_particular_gives_an_overview(shop_backends):
    dispatcher, _ = run(ActionProductInfo(), tracker_with("介绍一下", slots={"current_product_id": "P4001"}))
    assert responses(dispatcher) == ["product_overview"]


def test_no_product_known_asks_which(shop_backends):
    dispatcher, events = run(ActionProductInfo(), tracker_with("是纯棉的吗"))
    assert responses(dispatcher) == ["product_which"]
    assert events == []


def stock(shop_backends, color, size):
    return shop_backends.catalogue.stock("P1001", color, size)[0]


def test_sold_out_variant_gives_the_restock_date(shop_backends):
    level = stock(shop_backends, "白色", "M")
    assert not level.in_stock and level.restock_date is not None
    dispatcher, _ = run(
        ActionCheckStock(),
        tracker_with("白色M码还有吗", [entity("color", "白色"), entity("size", "M")], {"current_product_id": "P1001"}),
    )
    assert responses(dispatcher) == ["stock_restocking"]
    assert f"{level.restock_date.month}月{level.restock_date.day}日" in dispatcher.messages[0]["text"]


def test_variant_in_stock_gives_the_quantity(shop_backends):
    level = stock(shop_backends, "黑色", "XXL")
    dispatcher, _ = run(
        ActionCheckStock(),
        tracker_with("黑色XXL有吗", [entity("color", "黑色"), entity("size", "XXL")], {"current_product_id": "P1001"}),
    )
    assert responses(dispatcher) == ["stock_available"]
    assert f"还剩{level.quantity}件" in dispatcher.messages[0]["text"]


def test_colour_only_lists_the_sizes_in_stock(shop_backends):
    dispatcher, _ = run(
        ActionCheckStock(), tracker_with("白色还有哪些码", [entity("color", "白色")], {"current_product_id": "P1001"})
    )
    assert responses(dispatcher) == ["stock_variants"]
    assert "白色/M" not in dispatcher.messages[0]["text"]


def test_a_colour_the_product_does_not_come_in(shop_backends):
    dispatcher, _ = run(
        ActionCheckStock(), tracker_with("有粉色的吗", [entity("color", "粉色")], {"current_product_id": "P1001"})
    )
    assert responses(dispatcher) == ["stock_no_such_variant"]
    assert "白色" in dispatcher.messages[0]["text"]


def test_shop_down_gets_an_apology(unreachable_backends):
    for action in (ActionProductInfo(), ActionCheckStock()):
        dispatcher, _ = run(action, tracker_with("有货吗", slots={"current_product_id": "P1001"}))
        assert responses(dispatcher) == ["backend_unavailable"]


def test_size_advice_for_the_product_discussed(shop_backends):
    tracker = make_tracker({"current_product_id": "P1001"}, text="170/130斤穿多大", intent="ask_size_advice")
    dispatcher, events = run(ActionSizeAdvice(), tracker)
    assert responses(dispatcher) == ["size_advice"]
    assert "建议 M" in dispatcher.messages[0]["text"]
    assert slot_events(events) == {"current_product_id": "P1001"}


def test_size_advice_without_a_product_asks_which(shop_backends):
    dispatcher, _ = run(ActionSizeAdvice(), make_tracker({}, text="170穿多大", intent="ask_size_advice"))
    assert responses(dispatcher) == ["size_which_product"]


# --- open questions: the product's Q&A, features, comparisons, honest fallback -------------------


def test_a_question_the_products_qa_answers(shop_backends):
    dispatcher, events = run(ActionProductInfo(), tracker_with("这个能同时连手机和电脑吗", slots={"current_product_id": "P3001"}))
    assert responses(dispatcher) == ["product_qa_answer"]
    assert "双设备连接" in dispatcher.messages[0]["text"]
    assert slot_events(events) == {"current_product_id": "P3001"}


def test_the_cable_asked_about_is_the_earphones_not_the_data_cable(shop_backends):
    tracker = tracker_with("这款耳机带充电线吗", [entity("product", "充电线")], {"current_product_id": "P3001"})
    dispatcher, events = run(ActionProductInfo(), tracker)
    assert responses(dispatcher) == ["product_qa_answer"]
    assert "声悦 Air" in dispatcher.messages[0]["text"] and "Type-C充电线" in dispatcher.messages[0]["text"]
    assert slot_events(events) == {"current_product_id": "P3001"}, "the data cable P3012 never becomes the product"


def test_the_cable_of_the_earphones_named(shop_backends):
    tracker = tracker_with("这款耳机带充电线吗", [entity("product", "耳机"), entity("product", "充电线")])
    dispatcher, events = run(ActionProductInfo(), tracker)
    product = shop_backends.catalogue.get_product(slot_events(events)["current_product_id"])
    assert "耳机" in product.name and responses(dispatcher) == ["product_qa_answer"]


def test_a_feature_nobody_wrote_about_is_checked_with_an_agent(shop_backends):
    # The power bank's Q&A and attributes say nothing of a protective film.
    dispatcher, _ = run(ActionProductInfo(), tracker_with("送膜吗", slots={"current_product_id": "P3006"}))
    assert responses(dispatcher) == ["product_feature_unknown"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/request_human"]


def test_a_specific_question_nothing_answers_is_never_guessed(shop_backends):
    dispatcher, _ = run(ActionProductInfo(), tracker_with("孕妇能穿吗", slots={"current_product_id": "P1003"}))
    assert responses(dispatcher) == ["product_question_unknown"]


def test_a_pasted_id_with_the_kind_of_product_is_answered_and_becomes_the_product_discussed(shop_backends):
    # Over REST this message came with the entity 耳机: it once found a second pair of earphones, was
    # answered with a comparison and left no product discussed, so a later "这两款" had only one.
    tracker = tracker_with("P3001 这款耳机续航多久", [entity("product", "耳机")])
    dispatcher, events = run(ActionProductInfo(), tracker)
    assert responses(dispatcher) == ["product_attribute"] and "续航" in dispatcher.messages[0]["text"]
    assert slot_events(events) == {"current_product_id": "P3001"}


def test_these_two_earphones_are_compared_side_by_side(shop_backends):
    earlier = [("current_product_id", "P3001"), ("current_product_id", "P3002")]
    tracker = make_tracker({}, None, text="这两款耳机有什么区别", intent="ask_product_info",
                           entities=[entity("product", "耳机")], slot_events=earlier)
    dispatcher, events = run(ActionProductInfo(), tracker)
    assert responses(dispatcher) == ["product_compare"]
    text = dispatcher.messages[0]["text"]
    assert "【声悦 Pro 主动降噪蓝牙耳机】499元起 VS 【声悦 Air 半入耳式蓝牙耳机】129元起" in text and "· 续航：" in text
    assert slot_events(events) == {"current_product_id": None}


def test_two_links_are_compared_and_a_follow_up_compares_the_same_two(shop_backends):
    dispatcher, events = run(ActionProductInfo(), tracker_with("https://item.example.com/P3003 https://item.example.com/P3005 哪个好"))
    assert responses(dispatcher) == ["product_compare"]
    recorded = [(e["name"], e["value"]) for e in events if e.get("event") == "slot"]
    follow_up = make_tracker({}, None, text="哪个更轻", intent="ask_product_info", slot_events=recorded)
    dispatcher, _ = run(ActionProductInfo(), follow_up)
    assert responses(dispatcher) == ["product_compare"]
    assert dispatcher.messages[0]["text"] == first_comparison_text(tracker_with("P3003 P3005 哪个更轻"))


def first_comparison_text(tracker):
    dispatcher, _ = run(ActionProductInfo(), tracker)
    return dispatcher.messages[0]["text"]


def test_after_a_comparison_a_question_about_one_product_asks_which(shop_backends):
    _, events = run(ActionProductInfo(), tracker_with("https://item.example.com/P3003 https://item.example.com/P3005 哪个好"))
    recorded = [(e["name"], e["value"]) for e in events if e.get("event") == "slot"]
    dispatcher, _ = run(ActionProductInfo(), make_tracker({}, None, text="续航多久", intent="ask_product_info",
                                                          slot_events=recorded))
    assert responses(dispatcher) == ["product_which"]


def test_a_comparison_with_one_product_known_asks_which_two(shop_backends):
    dispatcher, events = run(ActionProductInfo(), tracker_with("这两款有什么区别"))
    assert responses(dispatcher) == ["product_compare_which"] and events == []


def test_the_products_shown_by_a_recommendation_are_the_two(shop_backends):
    shown = {"needs": {}, "shown": [{"product_id": "P3001", "price": "129"}, {"product_id": "P3003", "price": "199"}],
             "cancelled": False}
    dispatcher, _ = run(ActionProductInfo(), tracker_with("这俩有啥区别", slots={"recommendation": shown}))
    assert responses(dispatcher) == ["product_compare"] and "动力 S1" in dispatcher.messages[0]["text"]


def test_a_shop_that_does_not_answer_gets_an_apology(unreachable_backends):
    dispatcher, _ = run(ActionProductInfo(), tracker_with("带充电线吗", slots={"current_product_id": "P3001"}))
    assert responses(dispatcher) == ["backend_unavailable"]
