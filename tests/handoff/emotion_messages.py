"""Labelled shopper messages for the negative-emotion scorer.

Two lists, written apart:

* ``TUNING`` — the messages the lexicon weights and ``ANGRY_THRESHOLD`` were
  chosen on (error analysis allowed);
* ``TABLE`` — written before the lexicon was tuned and not used to tune it,
  so its accuracy is the fairer figure. Its first two angry messages and
  its first two calm ones are the issue's own examples.

Angry means a message an agent should pick up before others: abuse,
threats (差评, 12315, 曝光), demands in anger, exasperation at repeated
failures. A complaint put politely is calm: the ``complain`` intent hands
it off on its own.
"""

from __future__ import annotations

ANGRY, CALM = True, False

TABLE = [
    ("你们什么破服务!!!", ANGRY),
    ("气死了 三次都发错", ANGRY),
    ("垃圾店铺，再也不买了", ANGRY),
    ("骗子！说好的包邮呢", ANGRY),
    ("等了一个星期还没到，你们到底干什么吃的", ANGRY),
    ("客服是死人吗？？？半天不回", ANGRY),
    ("我要投诉你们，太坑了", ANGRY),
    ("不退钱我就去12315举报", ANGRY),
    ("什么玩意儿，穿一次就破了", ANGRY),
    ("无语，又是这样", ANGRY),
    ("恶心死了，发霉的东西也敢卖", ANGRY),
    ("滚，我不想跟机器人说话", ANGRY),
    ("忍无可忍了，必须给我个说法", ANGRY),
    ("质量太差了，差评！", ANGRY),
    ("😡😡😡 快递员把东西扔门口就走了", ANGRY),
    ("你们是不是有病，一个订单改三次地址都改不对", ANGRY),
    ("赔钱！！耽误我事了", ANGRY),
    ("这么慢的物流真是第一次见，服了", ANGRY),
    ("WTF 怎么又涨价了", ANGRY),
    ("说了多少遍了要黑色的 又发白色 你们能不能用点心", ANGRY),
    ("好的谢谢", CALM),
    ("怎么退货", CALM),
    ("这个多少钱", CALM),
    ("快递到哪了", CALM),
    ("你好，在吗", CALM),
    ("这件衣服有M码吗", CALM),
    ("能开发票吗", CALM),
    ("麻烦帮我查一下订单，谢谢", CALM),
    ("衣服有点小，可以换大一码吗", CALM),
    ("收到了，质量不差，挺满意的", CALM),
    ("不生气不生气，慢慢来", CALM),
    ("垃圾桶有卖吗", CALM),
    ("滚筒洗衣机的清洁剂有吗", CALM),
    ("破洞牛仔裤还有货吗", CALM),
    ("你好，收到的杯子有个小裂缝，麻烦处理一下", CALM),
    ("我想问下退款一般几天到账", CALM),
    ("包装有点压坏了，不过东西没事，跟你们说一声", CALM),
    ("太好了！！！终于到了", CALM),
    ("发货会不会很慢啊", CALM),
    ("哈哈哈好的，辛苦了亲", CALM),
]

TUNING = [
    ("你们这是什么垃圾客服", ANGRY),
    ("坑爹啊，图片和实物完全不一样", ANGRY),
    ("说好今天到的，又骗我", ANGRY),
    ("真的太慢了！！", ANGRY),
    ("我已经催了三次了，到底发不发货", ANGRY),
    ("我要退钱！！！", ANGRY),
    ("东西是坏的，你们必须赔偿", ANGRY),
    ("什么破快递，包装全烂了", ANGRY),
    ("气人，客服一直不回消息", ANGRY),
    ("烦死了，问了半天没人管", ANGRY),
    ("差评差评差评", ANGRY),
    ("你们是骗子吧", ANGRY),
    ("恶心，头发丝都在里面", ANGRY),
    ("服了你们了，一点诚信都没有", ANGRY),
    ("太过分了吧？？？", ANGRY),
    ("受不了了 第二次发错货了", ANGRY),
    ("别跟我扯，叫你们老板出来", ANGRY),
    ("🤬 再不处理我就曝光你们", ANGRY),
    ("离谱，退个货搞了一个月", ANGRY),
    ("我真的无语了，客服态度非常差", ANGRY),
    ("shit 又坏了", ANGRY),
    ("你们到底有没有人管啊！！！", ANGRY),
    ("这么垃圾的质量也好意思卖", ANGRY),
    ("忽悠人呢？？", ANGRY),
    ("怎么还没发货！！！", ANGRY),
    ("你好", CALM),
    ("谢谢亲", CALM),
    ("这个锅能用电磁炉吗", CALM),
    ("蓝牙耳机续航多久", CALM),
    ("我的订单什么时候发货", CALM),
    ("可以便宜点吗", CALM),
    ("地址填错了能改吗", CALM),
    ("不好意思，我拍错了，能取消吗", CALM),
    ("有优惠券吗", CALM),
    ("170/130斤穿多大", CALM),
    ("质量怎么样，会不会很差", CALM),
    ("物流挺快的，不慢", CALM),
    ("麻烦你了，谢谢", CALM),
    ("我想投诉一下快递员，他态度不太好", CALM),
    ("慢走", CALM),
    ("衣服收到了，差不多合身", CALM),
    ("能退差价吗", CALM),
    ("这个颜色有色差吗", CALM),
    ("快递还没到，帮我看看吧", CALM),
    ("怎么操作退款", CALM),
    ("东西挺好的，好评", CALM),
    ("在吗？？", CALM),
    ("出差了不在家，能放快递柜吗", CALM),
    ("能不能帮我催一下发货，谢谢", CALM),
    ("USB接口的充电器有吗", CALM),
]
