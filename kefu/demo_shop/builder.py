"""Builds the demo shop's rows — shipping rules, warehouses, the sample
knowledge, stock, customers and orders in every state — from one seeded
random generator with every moment relative to ``now``, so that the demo
fixtures always hold (see docs/demo_shop.md)."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy.orm import Session

from kefu.knowledge.importer import SAMPLE_FILES, ImportOutcome, import_file
from kefu.knowledge.sources import KnowledgeFileError
from kefu.storage import models
from kefu.demo_shop.catalogue import TSHIRT_ID
from kefu.demo_shop.logistics import plan_journey
from kefu.storage.geography import CITIES, PROVINCES, ProvinceInfo

RANDOM_SEED = 20241111


def platform_order_number(channel: str, order_id: str, created_at: datetime) -> Optional[str]:
    """The number the marketplace ``channel`` gave an order placed there (its shape per platform:
    kefu/services/platform_orders.py); None for the shop's own channels. Made from the order number, not
    by the random generator, whose sequence the rest of the demo depends on: the same in every build."""
    digest = int(hashlib.sha256(f"{channel}:{order_id}".encode()).hexdigest(), 16)

    def digits(count: int) -> str:  # no leading zero
        return str(10 ** (count - 1) + digest % (9 * 10 ** (count - 1)))

    if channel in ("taobao", "douyin"):
        return digits(19)
    if channel == "jd":
        return digits(12)
    if channel == "pdd":
        return f"{created_at:%y%m%d}-{digest % 10 ** 15:015d}"
    return None

# --- shipping rules ---------------------------------------------------------------

# code, name, base fee (yuan), free over (yuan, None = never), remote, note
SHIPPING_ZONES = (
    ("jzh", "江浙沪", 0, None, False, "江浙沪地区全场包邮"),
    ("standard", "普通地区", 8, 99, False, "满99元包邮，不满收取8元运费"),
    ("remote", "偏远地区", 15, 199, True, "内蒙古、甘肃、青海、宁夏满199元包邮，不满收取15元运费，时效比普通地区慢1-3天"),
    ("far_remote", "新疆西藏", 25, None, True, "新疆、西藏不参与包邮，每单收取25元运费，时效比普通地区慢2-3天"),
    ("hmt", "港澳台", 50, None, False, "港澳台地区每单收取50元运费，需清关，可能产生关税"),
)
ZONE_OF_PROVINCE = {
    **{name: "jzh" for name in ("江苏", "浙江", "上海")},
    **{name: "remote" for name in ("内蒙古", "甘肃", "青海", "宁夏")},
    **{name: "far_remote" for name in ("新疆", "西藏")},
    **{name: "hmt" for name in ("香港", "澳门", "台湾")},
}

# id, name, province, city, cut-off hour, carrier
WAREHOUSES = (
    ("WH-HZ", "杭州仓", "浙江", "杭州", 16, "中通快递"),
    ("WH-GZ", "广州仓", "广东", "广州", 17, "顺丰速运"),
    ("WH-TJ", "天津仓", "天津", "天津", 15, "韵达快递"),
    ("WH-CD", "成都仓", "四川", "成都", 16, "圆通速递"),
)
WAREHOUSES_BY_CATEGORY = {
    "服装": ("WH-HZ", "WH-TJ", "WH-CD"),
    "鞋靴": ("WH-GZ", "WH-HZ", "WH-CD"),
    "数码": ("WH-GZ", "WH-HZ"),
    "厨具": ("WH-HZ", "WH-TJ"),
    "美妆": ("WH-GZ", "WH-HZ", "WH-CD"),
}
TRACKING_PREFIX = {"中通快递": "7531", "顺丰速运": "SF", "韵达快递": "4312", "圆通速递": "YT"}

# --- people ---------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "晓燕", "浩然", "子涵", "欣怡", "梓轩",
    "雨桐", "宇航", "佳怡", "思远", "诗琪", "一鸣", "嘉欣", "俊杰", "晓婷",
)
TAGS = (
    "回头客", "价格敏感", "新客", "母婴人群", "数码爱好者", "美妆达人", "退货较多",
    "投诉过", "学生党", "大促用户", "运动爱好者", "夜猫子",
)
CHANNELS = ("taobao", "jd", "pdd", "douyin", "wechat", "app", "web")
PAYMENT_METHODS = ("支付宝", "微信支付", "花呗分期", "银行卡", "云闪付")
AGENTS = ("智能客服小蜜蜂", "人工客服 小美", "人工客服 阿杰", "人工客服 晓雯", "售后专员 王姐")
# Shoppers live mostly where shoppers are; a few in remote regions so that
# postage and delivery answers have something to differ on.
HOME_CITIES = (
    "上海", "北京", "杭州", "广州", "深圳", "成都", "南京", "苏州", "武汉", "西安", "重庆",
    "长沙", "郑州", "青岛", "厦门", "沈阳", "哈尔滨", "昆明", "南宁", "合肥", "天津",
    "乌鲁木齐", "拉萨", "呼和浩特", "西宁", "兰州", "银川", "海口",
)
DISTRICTS = ("新城区", "高新区", "经开区", "滨江区", "城北区", "江南区")
STREETS = ("人民路", "解放路", "中山路", "建设路", "和平路", "文化路", "长江路", "黄河路", "幸福路", "光明街")
ESTATES = ("阳光花园", "锦绣家园", "翠苑小区", "金色家园", "万科城", "绿城桂花园", "碧桂园")

CONTACT_TOPICS = (
    ("物流查询", "询问订单物流进度，已告知当前所在转运中心和预计送达时间"),
    ("催发货", "催促发货，已核实仓库当日16点前出库并同步单号"),
    ("退货退款", "申请七天无理由退货，已同意并提供退货地址"),
    ("退款进度", "询问退款到账时间，已告知原路退回1-3个工作日到账"),
    ("尺码咨询", "咨询尺码选择，已根据身高体重推荐尺码"),
    ("商品咨询", "咨询商品材质和使用方法，已详细解答"),
    ("发票", "申请开具电子普通发票，已在订单详情补开"),
    ("优惠券", "反馈优惠券无法使用，已说明使用门槛并补发无门槛券"),
    ("质量问题", "反馈商品有瑕疵，已安排补发并赠送优惠券致歉"),
    ("修改地址", "订单未发货前申请修改收货地址，已修改成功"),
    ("投诉", "对快递派送态度不满，已联系快递公司处理并致歉"),
)

# --- order states -----------------------------------------------------------------

STATUS_WEIGHTS = (
    ("delivered", 40), ("in_transit", 10), ("shipped", 6), ("paid", 8), ("unpaid", 6),
    ("cancelled", 10), ("return_requested", 8), ("refunded", 8),
)
RETURN_REASONS = (
    ("return", "七天无理由退货"),
    ("return", "尺码不合适"),
    ("exchange", "尺码偏小，换大一码"),
    ("return", "颜色与图片有色差"),
    ("refund_only", "商品破损"),
    ("return", "质量问题"),
)
BUYER_CANCEL_REASONS = ("拍错了/多拍了", "不想要了", "地址填错了", "重新下单")
UNPAID_CANCEL_REASON = "超时未支付，系统自动取消"


@dataclass
class SeedSummary:
    provinces: int = 0
    cities: int = 0
    warehouses: int = 0
    products: int = 0
    skus: int = 0
    customers: int = 0
    contacts: int = 0
    orders: int = 0
    logistics_events: int = 0
    policies: int = 0
    faq_entries: int = 0
    product_qa_entries: int = 0

    def describe(self) -> str:
        return ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in vars(self).items())


class DemoShopBuilder:
    """Adds the demo shop to an empty schema through ``session`` (not committed)."""

    def __init__(self, session: Session, now: datetime, report: Callable[[str], None] = print) -> None:
        self.session = session
        self.now = now
        self.today = now.date()
        self.rng = random.Random(RANDOM_SEED)
        self.report = report
        self.summary = SeedSummary()
        self._zones: Dict[str, models.ShippingZone] = {}
        self._province_zone: Dict[str, models.ShippingZone] = {}
        self._transit: Dict[Tuple[str, str], Tuple[int, int]] = {}
        self._warehouses: Dict[str, models.Warehouse] = {}
        self._products: Dict[str, models.Product] = {}
        self._product_ids: List[str] = []  # in the catalogue's order
        self._skus: Dict[str, List[models.Sku]] = {}
        self._stocked_in: Dict[str, List[str]] = {}
        self._customers: Dict[str, models.Customer] = {}
        self._tracking_numbers: set = set()

    def build(self) -> SeedSummary:
        self.add_geography_and_shipping_rules()
        self.add_warehouses_and_transit_times()
        self.add_knowledge()
        self.add_stock()
        self.add_customers()
        self.add_fixture_orders()
        self.add_generated_orders()
        return self.summary

    # --- time helpers --------------------------------------------------------------

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """A moment ``days_ago`` calendar days before today, at hour:minute shop time."""
        day = self.today - timedelta(days=days_ago)
        return datetime.combine(day, time(hour, minute), tzinfo=self.now.tzinfo)

    def _random_moment_between(self, start: datetime, end: datetime) -> datetime:
        span = max((end - start).total_seconds(), 0)
        return start + timedelta(seconds=self.rng.uniform(0, span))

    # --- geography, shipping rules, warehouses -----------------------------------------

    def add_geography_and_shipping_rules(self) -> None:
        for code, name, fee, free_over, remote, note in SHIPPING_ZONES:
            zone = models.ShippingZone(
                code=code,
                name=name,
                base_fee_cents=fee * 100,
                free_threshold_cents=free_over * 100 if free_over is not None else None,
                is_remote=remote,
                note=note,
            )
            self._zones[code] = zone
            self.session.add(zone)
        for province in PROVINCES:
            zone = self._zones[ZONE_OF_PROVINCE.get(province.name, "standard")]
            self._province_zone[province.name] = zone
            self.session.add(
                models.Province(
                    name=province.name, full_name=province.full_name, area=province.area, zone_code=zone.code
                )
            )
        self.session.flush()
        for city, province in CITIES.items():
            self.session.add(models.City(name=city, province_name=province))
        self.summary.provinces = len(PROVINCES)
        self.summary.cities = len(CITIES)
        self.report(f"  geography: {len(PROVINCES)} provinces, {len(CITIES)} cities, {len(SHIPPING_ZONES)} shipping zones")

    def add_warehouses_and_transit_times(self) -> None:
        provinces = {province.name: province for province in PROVINCES}
        for warehouse_id, name, province, city, cutoff, carrier in WAREHOUSES:
            warehouse = models.Warehouse(
                id=warehouse_id, name=name, province_name=province, city=city, cutoff_hour=cutoff, carrier=carrier
            )
            self._warehouses[warehouse_id] = warehouse
            self.session.add(warehouse)
            for destination in PROVINCES:
                days = _transit_days(provinces[province], destination)
                self._transit[(province, destination.name)] = days
                self.session.add(
                    models.TransitTime(
                        origin_province=province,
                        destination_province=destination.name,
                        days_min=days[0],
                        days_max=days[1],
                    )
                )
        self.session.flush()
        self.summary.warehouses = len(WAREHOUSES)
        self.report(f"  warehouses: {len(WAREHOUSES)}, transit times to every province")

    # --- the merchant's knowledge, and stock -------------------------------------------------

    def add_knowledge(self) -> None:
        """The sample files, imported (the catalogue first: the others name its products)."""
        outcomes = {outcome.kind: outcome for outcome in map(self._import, SAMPLE_FILES)}
        catalogue = outcomes["catalogue"]
        self._product_ids = list(catalogue.ids)
        for product_id in self._product_ids:
            product = self.session.get(models.Product, product_id)
            self._products[product_id] = product
            self._skus[product_id] = list(product.skus)
        self.summary.products = len(self._product_ids)
        self.summary.skus = catalogue.counts_of("SKUs").created
        self.summary.policies = outcomes["policies"].entries
        self.summary.faq_entries = outcomes["faq"].entries
        self.summary.product_qa_entries = outcomes["product_qa"].entries
        self.report(
            f"  knowledge: {self.summary.products} products, {self.summary.skus} SKUs, "
            f"{outcomes['promotions'].entries} promotion rules, {outcomes['size_charts'].entries} size charts, "
            f"{self.summary.policies} policies, {self.summary.faq_entries} FAQ entries, "
            f"{self.summary.product_qa_entries} product Q&A entries"
        )

    def _import(self, path) -> ImportOutcome:
        outcome = import_file(self.session, path, now=self.now)
        if outcome.problems:
            raise KnowledgeFileError(outcome.problems)  # a sample file is broken: fix it, never half a shop
        return outcome

    def add_stock(self) -> None:
        for product_id in self._product_ids:
            product = self._products[product_id]
            product.sales_count = self.rng.randrange(80, 20000)
            warehouses = self._pick_warehouses(product.category)
            self._stocked_in[product_id] = warehouses
            for sku in self._skus[product_id]:
                for warehouse_id in warehouses:
                    quantity, restock = self._stock_for()
                    self.session.add(
                        models.Stock(sku_id=sku.id, warehouse_id=warehouse_id, quantity=quantity, restock_date=restock)
                    )
        self.session.flush()
        self._set_demo_stock_situations()
        self.report(f"  stock: {self.summary.skus} SKUs in 4 warehouses")

    def _pick_warehouses(self, category: str) -> List[str]:
        choices = WAREHOUSES_BY_CATEGORY[category]
        count = self.rng.randint(min(2, len(choices)), len(choices))
        return sorted(self.rng.sample(choices, count))

    def _stock_for(self) -> Tuple[int, Optional[date]]:
        roll = self.rng.random()
        if roll < 0.1:
            # Sold out here; most sold-out SKUs have a restock planned.
            restock = self.today + timedelta(days=self.rng.randint(3, 20)) if self.rng.random() < 0.8 else None
            return 0, restock
        if roll < 0.3:
            return self.rng.randint(1, 15), None
        return self.rng.randint(20, 300), None

    def _set_demo_stock_situations(self) -> None:
        """Stock situations the demo conversations rely on, whatever the dice said."""
        stock = {
            (row.sku_id, row.warehouse_id): row
            for row in self.session.query(models.Stock).all()
        }
        # Bluetooth earphones under and over 300 yuan are always in stock.
        for product_id in ("P3001", "P3002", "P3003", "P3005"):
            for sku in self._skus[product_id]:
                for warehouse_id in self._stocked_in[product_id]:
                    row = stock[(sku.id, warehouse_id)]
                    row.quantity = max(row.quantity, 50)
                    row.restock_date = None
        # The T-shirt: white M is sold out everywhere with a restock in 5 days;
        # white L (the variant of fixture order 2024111100001) is in stock; black XXL is low.
        for sku in self._skus[TSHIRT_ID]:
            for warehouse_id in self._stocked_in[TSHIRT_ID]:
                row = stock[(sku.id, warehouse_id)]
                if (sku.color, sku.size) == ("白色", "M"):
                    row.quantity, row.restock_date = 0, self.today + timedelta(days=5)
                elif (sku.color, sku.size) == ("黑色", "XXL"):
                    row.quantity, row.restock_date = 1, None
                elif row.quantity == 0:
                    row.quantity, row.restock_date = 80, None
        self.session.flush()

    # --- customers and CRM history -------------------------------------------------------

    def add_customers(self) -> None:
        self._add_customer(
            "C0001", "张三", "13800000001", "gold", ["高价值客户", "回头客", "数码爱好者"], "上海", 820
        )
        self._add_customer("C0002", "李四", "13900000002", "regular", ["新客"], "北京", 45)
        used_phones = {"13800000001", "13900000002"}
        for number in range(3, 41):
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            phone = self._unique_phone(used_phones)
            level = self.rng.choices(("gold", "silver", "regular"), weights=(15, 30, 55))[0]
            tags = sorted(self.rng.sample(TAGS, self.rng.randint(0, 3)))
            if level == "gold":
                tags = ["高价值客户"] + tags
            city = self.rng.choice(HOME_CITIES)
            self._add_customer(f"C{number:04d}", name, phone, level, tags, city, self.rng.randint(20, 1500))
        self.session.flush()
        self._add_contact_history()
        self.report(f"  customers: {self.summary.customers} with {self.summary.contacts} past contacts")

    def _unique_phone(self, used: set) -> str:
        while True:
            phone = "1" + self.rng.choice("356789") + "".join(str(self.rng.randrange(10)) for _ in range(9))
            if phone not in used:
                used.add(phone)
                return phone

    def _add_customer(self, customer_id, name, phone, level, tags, city, registered_days_ago) -> None:
        province = CITIES.get(city, city)  # municipalities are their own province
        customer = models.Customer(
            id=customer_id,
            name=name,
            phone=phone,
            member_level=level,
            tags=tags,
            province_name=province,
            city=city,
            registered_at=self.at(registered_days_ago, self.rng.randint(8, 22), self.rng.randrange(60)),
        )
        self._customers[customer_id] = customer
        self.session.add(customer)
        self.summary.customers += 1

    def _add_contact_history(self) -> None:
        # 张三's history is fixed so that demos can refer to it.
        self._add_contact("C0001", "taobao", "退货退款", "运动鞋偏小申请退货，已同意并退款329元", 75, "售后专员 王姐")
        self._add_contact("C0001", "web", "发票", "申请开具电子普通发票，已在订单详情补开", 30, "人工客服 小美")
        self._add_contact(
            "C0001", "app", "物流查询", "询问订单2024111100001的派送时间，已告知当天送达", 2, "智能客服小蜜蜂"
        )
        for customer_id in sorted(self._customers):
            if customer_id in ("C0001", "C0002"):
                continue
            for _ in range(self.rng.randint(0, 4)):
                topic, summary = self.rng.choice(CONTACT_TOPICS)
                self._add_contact(
                    customer_id,
                    self.rng.choice(CHANNELS),
                    topic,
                    summary,
                    self.rng.randint(1, 300),
                    self.rng.choice(AGENTS),
                )
        self.session.flush()

    def _add_contact(self, customer_id, channel, topic, summary, days_ago, handled_by) -> None:
        self.session.add(
            models.Contact(
                customer_id=customer_id,
                channel=channel,
                topic=topic,
                summary=summary,
                handled_by=handled_by,
                contacted_at=self.at(days_ago, self.rng.randint(9, 22), self.rng.randrange(60)),
            )
        )
        self.summary.contacts += 1

    # --- orders: the demo fixtures ------------------------------------------------------

    def add_fixture_orders(self) -> None:
        """The demo fixtures every demo and outside suite relies on (see README): these
        five orders, in these states, relative to now."""
        zhang = dict(customer_id="C0001", channel="taobao", payment_method="支付宝",
                     city="上海", address="浦东新区张杨路500号华润时代广场12楼1203室")
        li = dict(customer_id="C0002", channel="jd", payment_method="微信支付",
                  city="北京", address="朝阳区建国路88号SOHO现代城3号楼1508室")

        # Delivered, signed 2 days ago: a T-shirt, inside the 7-day return window.
        self._add_order(
            "2024111100001", items=[(TSHIRT_ID, "白色", "L", 1)], warehouse_id="WH-HZ",
            created_at=self.at(4, 21, 5), shipped_at=self.at(3, 16, 10), delivered_at=self.at(2, 14, 20),
            status="delivered", **zhang,
        )
        # Shipped yesterday, in transit: its first events all fall yesterday.
        self._add_order(
            "2024111100002", items=[("P3002", "白色", None, 1)], warehouse_id="WH-GZ",
            created_at=self.at(1, 11, 20), shipped_at=self.at(1, 15, 30), status="in_transit", **zhang,
        )
        # Paid three hours ago, not shipped: can still be cancelled or redirected.
        self._add_order(
            "2024111100003", items=[("P4001", "灰色", "28cm", 1), ("P4013", "灰色", None, 1)],
            warehouse_id="WH-HZ", created_at=self.now - timedelta(hours=3), status="paid", **zhang,
        )
        # Delivered, signed 20 days ago: outside the return window.
        self._add_order(
            "2024111100004", items=[("P2001", "黑色", "42", 1), ("P4010", "白色", None, 1)],
            warehouse_id="WH-GZ", created_at=self.at(23, 20, 0), shipped_at=self.at(22, 17, 40),
            delivered_at=self.at(20, 11, 5), status="delivered", **zhang,
        )
        # The other customer's order, signed yesterday.
        self._add_order(
            "2024111100005", items=[("P1009", "蓝色", "M", 1)], warehouse_id="WH-TJ",
            created_at=self.at(3, 9, 12), shipped_at=self.at(2, 14, 0), delivered_at=self.at(1, 18, 45),
            status="delivered", **li,
        )

    # --- orders: generated around the fixtures ---------------------------------------------

    def add_generated_orders(self) -> None:
        customer_ids = sorted(self._customers)
        # 张三 (gold) has a longer history behind the four fixture orders.
        plans: List[Tuple[str, str]] = [
            ("C0001", "delivered"), ("C0001", "refunded"), ("C0001", "delivered"), ("C0002", "cancelled"),
        ]
        # Every state at least twice, then a realistic mix.
        statuses = [status for status, _ in STATUS_WEIGHTS]
        others = [customer_id for customer_id in customer_ids if customer_id not in ("C0001", "C0002")]
        for status in statuses * 2:
            plans.append((self.rng.choice(others), status))
        names, weights = zip(*STATUS_WEIGHTS)
        for customer_id in others:
            for _ in range(self.rng.randint(1, 5)):
                plans.append((customer_id, self.rng.choices(names, weights=weights)[0]))

        for number, (customer_id, status) in enumerate(plans, start=6):
            self._add_generated_order(f"20241111{number:05d}", customer_id, status, history=customer_id == "C0001")
        self.session.flush()
        self.report(f"  orders: {self.summary.orders} with {self.summary.logistics_events} logistics events")

    def _add_generated_order(self, order_id: str, customer_id: str, status: str, history: bool) -> None:
        customer = self._customers[customer_id]
        items = self._random_items()
        first_product = items[0][0]
        warehouse_id = self._nearest_stocking_warehouse(first_product, customer.province_name)
        transit_min, transit_max = self._transit[(self._warehouses[warehouse_id].province_name, customer.province_name)]
        order_fields = dict(
            customer_id=customer_id,
            channel=self.rng.choice(CHANNELS),
            payment_method=self.rng.choice(PAYMENT_METHODS),
            city=customer.city,
            address=self._random_address(),
            warehouse_id=warehouse_id,
            items=items,
            status=status,
        )
        if status == "unpaid":
            created = self.now - timedelta(minutes=self.rng.randint(5, 20 * 60))
            self._add_order(order_id, created_at=created, paid=False, **order_fields)
        elif status == "paid":
            created = self.now - timedelta(minutes=self.rng.randint(30, 30 * 60))
            self._add_order(order_id, created_at=created, **order_fields)
        elif status == "shipped":
            shipped = self.now - timedelta(minutes=self.rng.randint(30, 4 * 60))
            self._add_order(order_id, created_at=shipped - timedelta(hours=self.rng.randint(3, 20)),
                            shipped_at=shipped, **order_fields)
        elif status == "in_transit":
            shipped = self.now - timedelta(hours=self.rng.uniform(6, 40))
            self._add_order(order_id, created_at=shipped - timedelta(hours=self.rng.randint(3, 20)),
                            shipped_at=shipped, **order_fields)
        elif status == "cancelled":
            created = self.at(self.rng.randint(2, 60), self.rng.randint(8, 23), self.rng.randrange(60))
            paid = self.rng.random() < 0.35
            self._add_order(order_id, created_at=created, paid=paid,
                            cancelled_at=created + timedelta(minutes=self.rng.randint(10, 24 * 60 if paid else 30)),
                            **order_fields)
        else:
            # delivered, return_requested and refunded all start as a delivered parcel.
            if status == "return_requested":
                days_ago = self.rng.randint(1, 6)
            elif history:
                days_ago = self.rng.randint(40, 200)
            else:
                days_ago = self.rng.randint(8 if status == "refunded" else 1, 120)
            delivered = self.at(days_ago, self.rng.randint(9, 20), self.rng.randrange(60))
            shipped = delivered - timedelta(days=self.rng.randint(transit_min, transit_max), hours=self.rng.randint(0, 4))
            self._add_order(order_id, created_at=shipped - timedelta(hours=self.rng.randint(3, 30)),
                            shipped_at=shipped, delivered_at=delivered, **order_fields)

    def _random_items(self) -> List[Tuple[str, Optional[str], Optional[str], int]]:
        product_ids = self.rng.sample(self._product_ids, self.rng.choices((1, 2, 3), weights=(65, 25, 10))[0])
        items = []
        for product_id in product_ids:
            sku = self.rng.choice(self._skus[product_id])
            items.append((product_id, sku.color, sku.size, self.rng.choices((1, 2), weights=(85, 15))[0]))
        return items

    def _nearest_stocking_warehouse(self, product_id: str, province: str) -> str:
        return min(
            self._stocked_in[product_id],
            key=lambda warehouse_id: (self._transit[(self._warehouses[warehouse_id].province_name, province)], warehouse_id),
        )

    def _random_address(self) -> str:
        return (
            f"{self.rng.choice(DISTRICTS)}{self.rng.choice(STREETS)}{self.rng.randint(1, 999)}号"
            f"{self.rng.choice(ESTATES)}{self.rng.randint(1, 30)}栋{self.rng.randint(1, 4)}单元"
            f"{self.rng.randint(1, 33)}{self.rng.randint(1, 4):02d}室"
        )

    # --- one order with everything that belongs to it --------------------------------------

    def _add_order(
        self,
        order_id: str,
        *,
        customer_id: str,
        status: str,
        channel: str,
        payment_method: str,
        city: str,
        address: str,
        warehouse_id: str,
        items: Sequence[Tuple[str, Optional[str], Optional[str], int]],
        created_at: datetime,
        paid: bool = True,
        shipped_at: Optional[datetime] = None,
        delivered_at: Optional[datetime] = None,
        cancelled_at: Optional[datetime] = None,
    ) -> None:
        customer = self._customers[customer_id]
        province = CITIES.get(city, city)
        warehouse = self._warehouses[warehouse_id]
        order_items = [self._order_item(product_id, color, size, quantity) for product_id, color, size, quantity in items]
        goods_cents = sum(item.unit_price_cents * item.quantity for item in order_items)
        # Some shoppers send to family or the office under another name and phone.
        recipient_is_customer = customer_id in ("C0001", "C0002") or self.rng.random() < 0.8
        order = models.Order(
            id=order_id,
            customer_id=customer_id,
            status=status,
            channel=channel,
            recipient_name=customer.name if recipient_is_customer else self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES),
            recipient_phone=customer.phone if recipient_is_customer else self._unique_phone({customer.phone}),
            province_name=province,
            city=city,
            address=address,
            warehouse_id=warehouse_id,
            goods_cents=goods_cents,
            shipping_fee_cents=self._province_zone[province].fee_for(goods_cents),
            discount_cents=self._discount_cents(goods_cents),
            payment_method=payment_method if paid else None,
            created_at=created_at,
            paid_at=created_at + timedelta(minutes=self.rng.randint(1, 15)) if paid else None,
            cancelled_at=cancelled_at,
            cancel_reason=None,
        )
        order.items = order_items
        if cancelled_at is not None:
            order.cancel_reason = self.rng.choice(BUYER_CANCEL_REASONS) if paid else UNPAID_CANCEL_REASON
            if paid:
                self._add_refund(order, None, cancelled_at, completed_at=self._soon_after(cancelled_at))
        if shipped_at is not None:
            self._ship(order, warehouse, shipped_at, delivered_at)
        if status == "return_requested":
            self._request_return(order, completed=False)
        elif status == "refunded":
            self._request_return(order, completed=True)
        self.session.add(order)
        platform_number = platform_order_number(channel, order_id, created_at)
        if platform_number is not None:
            self.session.add(models.PlatformOrder(platform=channel, platform_order_id=platform_number, order_id=order_id))
        self.summary.orders += 1

    def _order_item(self, product_id: str, color: Optional[str], size: Optional[str], quantity: int) -> models.OrderItem:
        (sku,) = [sku for sku in self._skus[product_id] if (sku.color, sku.size) == (color, size)]
        return models.OrderItem(
            sku_id=sku.id,
            product_id=product_id,
            product_name=self._products[product_id].name,
            color=color,
            size=size,
            unit_price_cents=sku.price_cents,
            quantity=quantity,
        )

    def _discount_cents(self, goods_cents: int) -> int:
        if goods_cents >= 19900:
            return self.rng.choice((0, 1000, 2000))
        if goods_cents >= 9900:
            return self.rng.choice((0, 500))
        return 0

    def _ship(self, order: models.Order, warehouse: models.Warehouse, shipped_at: datetime,
              delivered_at: Optional[datetime]) -> None:
        transit_min, transit_max = self._transit[(warehouse.province_name, order.province_name)]
        estimated_arrival = shipped_at.date() + timedelta(days=transit_max)
        if delivered_at is not None:
            arrives_at = delivered_at
        else:
            # Still on its way: due on the estimated day, and in any case later than now.
            arrives_at = max(
                datetime.combine(estimated_arrival, time(14, 0), tzinfo=shipped_at.tzinfo),
                self.now + timedelta(hours=3),
            )
            estimated_arrival = arrives_at.date()
        shipment = models.Shipment(
            warehouse_id=warehouse.id,
            carrier=warehouse.carrier,
            tracking_number=self._tracking_number(warehouse.carrier),
            shipped_at=shipped_at,
            estimated_arrival=estimated_arrival,
        )
        events = plan_journey(self.rng, warehouse.carrier, warehouse.city, order.city, shipped_at, arrives_at, self.now)
        if order.status == "shipped":
            events = events[:1]  # handed to the carrier, not yet moving
        for event in events:
            shipment.events.append(
                models.LogisticsEvent(
                    occurred_at=event.occurred_at, location=event.location, description=event.description,
                    status=event.status,
                )
            )
        if delivered_at is not None:
            # The signed-for moment is the last event's, which the journey may have nudged.
            shipment.delivered_at = order.delivered_at = events[-1].occurred_at
        order.shipped_at = shipped_at
        order.shipments.append(shipment)
        self.summary.logistics_events += len(events)

    def _tracking_number(self, carrier: str) -> str:
        prefix = TRACKING_PREFIX[carrier]
        while True:
            number = prefix + "".join(str(self.rng.randrange(10)) for _ in range(15 - len(prefix)))
            if number not in self._tracking_numbers:
                self._tracking_numbers.add(number)
                return number

    def _request_return(self, order: models.Order, completed: bool) -> None:
        kind, reason = self.rng.choice(RETURN_REASONS)
        requested_at = self._random_moment_between(
            order.delivered_at + timedelta(hours=2),
            min(order.delivered_at + timedelta(days=6), self.now - timedelta(minutes=30)),
        )
        if completed:
            status, updated_at = "completed", self._soon_after(requested_at, days=True)
        else:
            status = self.rng.choice(("requested", "approved", "received"))
            updated_at = self._random_moment_between(requested_at, self.now)
        if kind == "exchange":
            # The first item, for the next size up where there is one.
            sku_ids, new_sku = [order.items[0].sku_id], self._next_size_up(order.items[0])
        else:
            sku_ids, new_sku = [item.sku_id for item in order.items], None  # the whole parcel
        request = models.ReturnRequest(
            id=models.after_sales_id(models.RETURN_ID_PREFIX, order.id, len(order.return_requests) + 1),
            kind=kind, reason=reason, status=status, requested_at=requested_at, updated_at=updated_at,
            sku_ids=sku_ids, new_sku_id=new_sku.id if new_sku is not None else None,
        )
        order.return_requests.append(request)
        # Money goes back once the shop has the goods (or at once for a refund-only claim).
        if completed:
            self._add_refund(order, request, requested_at + (updated_at - requested_at) / 2, completed_at=updated_at)
        elif status == "received" or kind == "refund_only":
            self._add_refund(order, request, updated_at, completed_at=None)

    def _next_size_up(self, item: models.OrderItem) -> Optional[models.Sku]:
        skus = self._skus[item.product_id]
        (current,) = [sku for sku in skus if sku.id == item.sku_id]
        bigger = [sku for sku in skus if sku.color == current.color and sku.position > current.position]
        return bigger[0] if bigger else None

    def _soon_after(self, moment: datetime, days: bool = False) -> datetime:
        """A little later than ``moment`` (hours, or a few days), but never in the future."""
        delay = timedelta(days=self.rng.randint(2, 5)) if days else timedelta(hours=self.rng.randint(2, 60))
        return min(moment + delay, self.now - timedelta(minutes=10))

    def _add_refund(self, order: models.Order, request: Optional[models.ReturnRequest],
                    requested_at: datetime, completed_at: Optional[datetime]) -> None:
        order.refunds.append(
            models.Refund(
                id=models.after_sales_id(models.REFUND_ID_PREFIX, order.id, len(order.refunds) + 1),
                return_request=request,
                amount_cents=order.paid_cents,
                status="succeeded" if completed_at is not None else "processing",
                method=order.refund_method,
                requested_at=requested_at,
                completed_at=completed_at,
            )
        )


def _transit_days(origin: ProvinceInfo, destination: ProvinceInfo) -> Tuple[int, int]:
    """Days on the road, from the distance between the provinces' capitals."""
    if origin.name == destination.name:
        return 1, 2
    distance = _distance_km(origin, destination)
    if distance < 500:
        days = (1, 2)
    elif distance < 1000:
        days = (2, 3)
    elif distance < 1600:
        days = (2, 4)
    elif distance < 2500:
        days = (3, 5)
    else:
        days = (4, 6)
    if destination.name in ("新疆", "西藏"):
        days = (days[0] + 1, days[1] + 2)
    if destination.area == "港澳台":
        days = (days[0] + 2, days[1] + 3)  # customs clearance
    return days


def _distance_km(a: ProvinceInfo, b: ProvinceInfo) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))
