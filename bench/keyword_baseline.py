"""A naive keyword matcher, the way a merchant would set up auto-replies in a
shop back office: the baseline the trained model must beat."""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

KEYWORDS: Dict[str, Tuple[str, ...]] = {
    "greet": ("你好", "在吗", "在不在", "hello", "hi", "有人吗", "哈喽"),
    "goodbye": ("拜拜", "再见", "88", "bye", "先这样"),
    "thank": ("谢谢", "感谢", "多谢", "谢了", "thx", "thanks"),
    "affirm": ("是的", "对的", "好的", "可以", "嗯嗯", "ok", "没错"),
    "deny": ("不是", "不用", "算了", "不要", "不对", "没有"),
    "bot_challenge": ("机器人", "真人吗", "ai吗", "是人吗"),
    "request_human": ("转人工", "人工", "客服", "真人"),
    "complain": ("投诉", "差评", "垃圾", "破", "赔", "12315", "生气"),
    "ask_delivery_time": ("几天到", "多久到", "什么时候到", "啥时候到", "多久发货", "几天能到", "送来"),
    "track_order": ("到哪", "物流", "快递", "查订单", "还没发货", "催"),
    "cancel_order": ("取消", "拍错", "不想要了", "拍多"),
    "change_address": ("改地址", "地址", "电话填错", "收件人"),
    "ask_shipping_fee": ("包邮", "运费", "邮费"),
    "ask_return": ("退货", "退回", "无理由", "能退"),
    "ask_exchange": ("换货", "换一", "换个", "换码", "换颜色"),
    "ask_refund_status": ("退款", "到账", "退钱"),
    "report_problem": ("坏了", "破损", "发错", "少发", "质量问题", "漏发"),
    "ask_invoice": ("发票", "专票", "普票", "开票"),
    "ask_warranty": ("保修", "维修", "质保", "修"),
    "ask_product_info": ("材质", "纯棉", "参数", "正品", "多大", "尺寸", "功能"),
    "ask_stock": ("有货", "没货", "补货", "库存", "现货", "还有"),
    "ask_size_advice": ("穿多大", "什么码", "尺码", "多大码", "斤"),
    "ask_promotion": ("活动", "优惠", "打折", "便宜", "满减", "差价"),
    "ask_coupon": ("券", "优惠券", "领券"),
    "ask_payment": ("花呗", "分期", "付款", "支付", "信用卡", "货到付款"),
    "request_recommendation": ("推荐", "适合", "送人", "哪款好", "买什么"),
    "inform": ("订单号", "手机号", "码", "尾号"),
}

ORDER_ID = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def predict_intent(text: str) -> str:
    lowered = text.lower()
    scores = {
        intent: sum(1 for keyword in keywords if keyword in lowered)
        for intent, keywords in KEYWORDS.items()
    }
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else "out_of_scope"


def predict_entities(text: str) -> List[Dict]:
    entities = []
    for name, pattern in (("order_id", ORDER_ID), ("phone", PHONE)):
        for match in pattern.finditer(text):
            entities.append(
                {"entity": name, "start": match.start(), "end": match.end(), "value": match.group()}
            )
    return entities


def parse(text: str) -> Dict:
    """Same shape as Rasa's /model/parse answer, for the benchmark."""
    return {
        "text": text,
        "intent": {"name": predict_intent(text), "confidence": 1.0},
        "entities": predict_entities(text),
    }
