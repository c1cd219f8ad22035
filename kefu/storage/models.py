"""The shop's tables (SQLAlchemy declarative models): money in integer fen so
that SQLite and PostgreSQL store the same values, times as shop time."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from kefu.storage.clock import SHOP_TZ, in_shop_time

Base = declarative_base()

ORDER_STATUSES = (
    "unpaid",
    "paid",
    "shipped",
    "in_transit",
    "delivered",
    "cancelled",
    "return_requested",
    "refunded",
)
MEMBER_LEVELS = ("gold", "silver", "regular")
CATEGORIES = ("服装", "鞋靴", "数码", "厨具", "美妆")
RETURN_KINDS = ("return", "exchange", "refund_only")
RETURN_STATUSES = ("requested", "approved", "rejected", "received", "completed", "cancelled")
REFUND_STATUSES = ("processing", "succeeded", "failed")
LOGISTICS_STATUSES = ("picked_up", "in_transit", "out_for_delivery", "signed")
PROBLEM_KINDS = ("damaged", "wrong_item", "missing_item", "quality")
PROBLEM_RESOLUTIONS = ("reship", "refund", "agent")
PROBLEM_STATUSES = ("reship_pending", "refund_pending", "awaiting_agent")

# Prefixes of the after-sales ids, numbered per order: R2024111100001-01 is
# the order's first return request, RF…-01 its first refund, Q…-01 its first
# problem report.
RETURN_ID_PREFIX = "R"
REFUND_ID_PREFIX = "RF"
PROBLEM_ID_PREFIX = "Q"


def after_sales_id(prefix: str, order_id: str, number: int) -> str:
    """The id of the order's ``number``-th return, refund or problem report (from 1)."""
    return f"{prefix}{order_id}-{number:02d}"


def _choice(values, name):
    # Stored as a checked VARCHAR rather than a native enum so that adding a
    # value later is a plain migration on both SQLite and PostgreSQL.
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


class ShopDateTime(TypeDecorator):
    """A moment stored as naive shop time and returned as aware shop time."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect):
        if value is None:
            return None
        return in_shop_time(value).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect):
        if value is None:
            return None
        return value.replace(tzinfo=SHOP_TZ)


class ShopMeta(Base):
    """Facts about the data set itself, e.g. when the demo shop was seeded."""

    __tablename__ = "shop_meta"

    key = Column(String(50), primary_key=True)
    value = Column(Text, nullable=False)


# --- geography and shipping rules -----------------------------------------------


class ShippingZone(Base):
    """A group of provinces sharing one postage rule (江浙沪, 偏远地区 …)."""

    __tablename__ = "shipping_zones"

    code = Column(String(20), primary_key=True)
    name = Column(String(50), nullable=False)
    base_fee_cents = Column(Integer, nullable=False)
    # NULL: orders to this zone never ship free, whatever the amount.
    free_threshold_cents = Column(Integer, nullable=True)
    is_remote = Column(Boolean, nullable=False, default=False)
    note = Column(Text, nullable=False, default="")

    provinces = relationship("Province", back_populates="zone")

    def fee_for(self, amount_cents: int) -> int:
        """Postage in cents for goods worth ``amount_cents`` sent to this zone."""
        if self.free_threshold_cents is not None and amount_cents >= self.free_threshold_cents:
            return 0
        return self.base_fee_cents


class Province(Base):
    """A provincial-level region, under its short name (浙江, 新疆, 上海)."""

    __tablename__ = "provinces"

    name = Column(String(20), primary_key=True)
    full_name = Column(String(50), nullable=False, unique=True)
    area = Column(String(20), nullable=False)  # 华东, 华南, 西北 …
    zone_code = Column(String(20), ForeignKey("shipping_zones.code"), nullable=False)

    zone = relationship("ShippingZone", back_populates="provinces")


class City(Base):
    __tablename__ = "cities"

    name = Column(String(30), primary_key=True)  # without 市: 杭州, 乌鲁木齐
    province_name = Column(String(20), ForeignKey("provinces.name"), nullable=False)

    province = relationship("Province")


class Warehouse(Base):
    __tablename__ = "warehouses"

    id = Column(String(20), primary_key=True)
    name = Column(String(50), nullable=False)
    province_name = Column(String(20), ForeignKey("provinces.name"), nullable=False)
    city = Column(String(30), nullable=False)
    # Orders paid before this hour (shop time) leave the warehouse the same day.
    cutoff_hour = Column(Integer, nullable=False)
    carrier = Column(String(30), nullable=False)

    province = relationship("Province")


class TransitTime(Base):
    """How many days a parcel takes from a warehouse's province to a province."""

    __tablename__ = "transit_times"

    origin_province = Column(String(20), ForeignKey("provinces.name"), primary_key=True)
    destination_province = Column(String(20), ForeignKey("provinces.name"), primary_key=True)
    days_min = Column(Integer, nullable=False)
    days_max = Column(Integer, nullable=False)


# --- customers (CRM) -------------------------------------------------------------


class Customer(Base):
    __tablename__ = "customers"

    id = Column(String(20), primary_key=True)  # C0001
    name = Column(String(50), nullable=False)
    phone = Column(String(20), nullable=False, unique=True, index=True)
    member_level = Column(_choice(MEMBER_LEVELS, "member_level"), nullable=False)
    tags = Column(JSON, nullable=False, default=list)
    province_name = Column(String(20), ForeignKey("provinces.name"), nullable=True)
    city = Column(String(30), nullable=True)
    registered_at = Column(ShopDateTime, nullable=False)

    contacts = relationship("Contact", back_populates="customer", order_by="Contact.contacted_at.desc()")
    orders = relationship("Order", back_populates="customer")


class Contact(Base):
    """One past conversation with customer service."""

    __tablename__ = "contacts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(20), ForeignKey("customers.id"), nullable=False, index=True)
    channel = Column(String(20), nullable=False)  # web, wechat, taobao, jd, pdd, douyin, app
    topic = Column(String(50), nullable=False)
    summary = Column(Text, nullable=False)
    handled_by = Column(String(50), nullable=False)
    contacted_at = Column(ShopDateTime, nullable=False)

    customer = relationship("Customer", back_populates="contacts")


# --- catalogue and inventory -----------------------------------------------------


class Product(Base):
    __tablename__ = "products"

    id = Column(String(20), primary_key=True)  # P1001
    name = Column(String(100), nullable=False, index=True)
    category = Column(_choice(CATEGORIES, "product_category"), nullable=False, index=True)
    brand = Column(String(50), nullable=False)
    # The lowest SKU price ("起价"); budgets are compared with it.
    price_cents = Column(Integer, nullable=False)
    # Machine keys (material, dimensions, warranty, usage_notes …), Chinese values.
    attributes = Column(JSON, nullable=False, default=dict)
    description = Column(Text, nullable=False, default="")
    # Words shoppers use for it that are not in the name (耳机 for 耳塞 …).
    search_terms = Column(Text, nullable=False, default="")
    sales_count = Column(Integer, nullable=False, default=0)

    skus = relationship("Sku", back_populates="product", order_by="Sku.position")


class Sku(Base):
    __tablename__ = "skus"
    __table_args__ = (UniqueConstraint("product_id", "color", "size"),)

    id = Column(String(30), primary_key=True)  # P1001-03
    product_id = Column(String(20), ForeignKey("products.id"), nullable=False, index=True)
    color = Column(String(30), nullable=True)
    size = Column(String(30), nullable=True)
    price_cents = Column(Integer, nullable=False)
    position = Column(Integer, nullable=False, default=0)  # display order

    product = relationship("Product", back_populates="skus")
    stock = relationship("Stock", back_populates="sku")


class Stock(Base):
    __tablename__ = "stock"

    sku_id = Column(String(30), ForeignKey("skus.id"), primary_key=True)
    warehouse_id = Column(String(20), ForeignKey("warehouses.id"), primary_key=True)
    quantity = Column(Integer, nullable=False, default=0)
    # When the next delivery from the supplier is due, if one is planned.
    restock_date = Column(Date, nullable=True)

    sku = relationship("Sku", back_populates="stock")
    warehouse = relationship("Warehouse")


# --- orders, logistics, after-sales ----------------------------------------------


class Order(Base):
    __tablename__ = "orders"

    id = Column(String(20), primary_key=True)  # 2024111100001
    customer_id = Column(String(20), ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(_choice(ORDER_STATUSES, "order_status"), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    recipient_name = Column(String(50), nullable=False)
    recipient_phone = Column(String(20), nullable=False)
    province_name = Column(String(20), ForeignKey("provinces.name"), nullable=False)
    city = Column(String(30), nullable=False)
    address = Column(String(200), nullable=False)  # district, street, building
    warehouse_id = Column(String(20), ForeignKey("warehouses.id"), nullable=False)
    goods_cents = Column(Integer, nullable=False)
    shipping_fee_cents = Column(Integer, nullable=False, default=0)
    discount_cents = Column(Integer, nullable=False, default=0)
    payment_method = Column(String(20), nullable=True)
    created_at = Column(ShopDateTime, nullable=False, index=True)
    paid_at = Column(ShopDateTime, nullable=True)
    shipped_at = Column(ShopDateTime, nullable=True)
    delivered_at = Column(ShopDateTime, nullable=True)  # signed for
    cancelled_at = Column(ShopDateTime, nullable=True)
    cancel_reason = Column(String(100), nullable=True)

    customer = relationship("Customer", back_populates="orders")
    warehouse = relationship("Warehouse")
    items = relationship("OrderItem", back_populates="order", order_by="OrderItem.id")
    shipments = relationship("Shipment", back_populates="order", order_by="Shipment.shipped_at")
    return_requests = relationship(
        "ReturnRequest", back_populates="order", order_by="ReturnRequest.requested_at"
    )
    refunds = relationship("Refund", back_populates="order", order_by="Refund.requested_at")

    @property
    def paid_cents(self) -> int:
        return self.goods_cents + self.shipping_fee_cents - self.discount_cents

    @property
    def refund_method(self) -> str:
        """Refunds go back the way the money came (原路退回)."""
        return f"原路退回（{self.payment_method}）"


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(20), ForeignKey("orders.id"), nullable=False, index=True)
    sku_id = Column(String(30), ForeignKey("skus.id"), nullable=False)
    # Copied at purchase time: the catalogue may change, the order must not.
    product_id = Column(String(20), nullable=False)
    product_name = Column(String(100), nullable=False)
    color = Column(String(30), nullable=True)
    size = Column(String(30), nullable=True)
    unit_price_cents = Column(Integer, nullable=False)
    quantity = Column(Integer, nullable=False)

    order = relationship("Order", back_populates="items")


class PlatformOrder(Base):
    """The number a marketplace gave one of the shop's orders (平台订单号): an order placed on Taobao, JD,
    Pinduoduo or Douyin is known to its buyer by that number and to the shop by ``orders.id``. The shop's
    order system records it when it takes the order in; the assistant finds the order by it when a buyer
    on the platform bridge gives it (docs/channels/platforms.md).

    A table of its own rather than a column of ``orders``: ``create_all`` (and the SQL backend, on a shop
    database made before it) adds a missing table, never a missing column; and one shop order may stand
    for several platform orders shipped together (合并发货).
    """

    __tablename__ = "platform_orders"

    platform = Column(String(32), primary_key=True)  # as the bridge names it: taobao, jd, pdd, douyin
    platform_order_id = Column(String(64), primary_key=True)  # as the platform writes it
    order_id = Column(String(20), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(20), ForeignKey("orders.id"), nullable=False, index=True)
    warehouse_id = Column(String(20), ForeignKey("warehouses.id"), nullable=False)
    carrier = Column(String(30), nullable=False)
    tracking_number = Column(String(30), nullable=False, unique=True)
    shipped_at = Column(ShopDateTime, nullable=False)
    delivered_at = Column(ShopDateTime, nullable=True)
    estimated_arrival = Column(Date, nullable=True)

    order = relationship("Order", back_populates="shipments")
    warehouse = relationship("Warehouse")
    events = relationship(
        "LogisticsEvent", back_populates="shipment", order_by="LogisticsEvent.occurred_at"
    )


class LogisticsEvent(Base):
    __tablename__ = "logistics_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False, index=True)
    occurred_at = Column(ShopDateTime, nullable=False)
    location = Column(String(50), nullable=False)
    description = Column(Text, nullable=False)
    status = Column(_choice(LOGISTICS_STATUSES, "logistics_status"), nullable=False)

    shipment = relationship("Shipment", back_populates="events")


class ReturnRequest(Base):
    __tablename__ = "return_requests"

    id = Column(String(20), primary_key=True)  # R2024111100007-01
    order_id = Column(String(20), ForeignKey("orders.id"), nullable=False, index=True)
    kind = Column(_choice(RETURN_KINDS, "return_kind"), nullable=False)
    reason = Column(String(100), nullable=False)
    status = Column(_choice(RETURN_STATUSES, "return_status"), nullable=False)
    requested_at = Column(ShopDateTime, nullable=False)
    updated_at = Column(ShopDateTime, nullable=False)
    # The order's SKUs it covers (a JSON list; empty: the whole order).
    sku_ids = Column(JSON, nullable=False, default=list)
    condition = Column(String(50), nullable=True)  # 未拆封, 已拆封 …
    new_sku_id = Column(String(30), ForeignKey("skus.id"), nullable=True)  # exchanges only

    order = relationship("Order", back_populates="return_requests")


class Refund(Base):
    __tablename__ = "refunds"

    id = Column(String(20), primary_key=True)  # RF2024111100007-01
    order_id = Column(String(20), ForeignKey("orders.id"), nullable=False, index=True)
    return_request_id = Column(String(20), ForeignKey("return_requests.id"), nullable=True)
    amount_cents = Column(Integer, nullable=False)
    status = Column(_choice(REFUND_STATUSES, "refund_status"), nullable=False)
    method = Column(String(50), nullable=False)  # 原路退回（支付宝）
    requested_at = Column(ShopDateTime, nullable=False)
    completed_at = Column(ShopDateTime, nullable=True)

    order = relationship("Order", back_populates="refunds")
    return_request = relationship("ReturnRequest")


class ProblemReport(Base):
    """A damaged, wrong, missing or faulty item reported after shipping."""

    __tablename__ = "problem_reports"

    id = Column(String(20), primary_key=True)  # Q2024111100001-01
    order_id = Column(String(20), ForeignKey("orders.id"), nullable=False, index=True)
    sku_id = Column(String(30), ForeignKey("skus.id"), nullable=True)  # NULL: the order as a whole
    kind = Column(_choice(PROBLEM_KINDS, "problem_kind"), nullable=False)
    description = Column(Text, nullable=False)
    resolution = Column(_choice(PROBLEM_RESOLUTIONS, "problem_resolution"), nullable=False)
    status = Column(_choice(PROBLEM_STATUSES, "problem_status"), nullable=False)
    created_at = Column(ShopDateTime, nullable=False)
    # The refund-only request a "refund" resolution opened.
    return_request_id = Column(String(20), ForeignKey("return_requests.id"), nullable=True)

    order = relationship("Order")
    return_request = relationship("ReturnRequest")
    photos = relationship(
        "ProblemReportPhoto", order_by="ProblemReportPhoto.position", cascade="all, delete-orphan"
    )


class ProblemReportPhoto(Base):
    """A photo of the problem the shopper sent: its id in the assistant's photo store (the web chat's
    ``webchat_photos``), not the image, which stays where the shopper's channel put it.

    A table of its own rather than a column of ``problem_reports``: ``create_all`` (and the SQL
    backend, on a shop database made before it) adds a missing table, never a missing column.
    """

    __tablename__ = "problem_report_photos"

    report_id = Column(String(20), ForeignKey("problem_reports.id", ondelete="CASCADE"), primary_key=True)
    position = Column(Integer, primary_key=True)  # 0, 1 …: the order the shopper sent them in
    photo_id = Column(String(64), nullable=False)


# --- the merchant's imported knowledge ---------------------------------------------
# Written by ``kefu.knowledge.importer``; read by the assistant on every answer,
# so a re-import changes what the running bot says without retraining.


class KnowledgeDocument(Base):
    """A rules file the engines read whole (promotions, size charts), as last imported.

    Kept as the validated YAML text rather than as rows: the engines' own
    loaders read it, so the file and the database can never mean different things.
    """

    __tablename__ = "knowledge_documents"

    kind = Column(String(30), primary_key=True)  # promotions, size_charts
    content = Column(Text, nullable=False)
    source = Column(String(300), nullable=False)  # the file it came from
    checksum = Column(String(64), nullable=False)  # sha256 of content
    imported_at = Column(ShopDateTime, nullable=False)


class Policy(Base):
    """One after-sales or service policy (invoices, warranty, payment …) in the merchant's words."""

    __tablename__ = "policies"

    id = Column(String(40), primary_key=True)  # invoice, warranty, payment, shipping …
    # The intent it answers (ask_invoice); several policies may share one.
    topic = Column(String(40), nullable=False, index=True)
    title = Column(String(100), nullable=False)
    answer = Column(Text, nullable=False)  # what the shopper reads
    # Machine-readable facts of the policy (e.g. {"warranty_months": 12}).
    facts = Column(JSON, nullable=False, default=dict)
    position = Column(Integer, nullable=False, default=0)


class FaqEntry(Base):
    """A question shoppers ask and the merchant's answer to it."""

    __tablename__ = "faq_entries"

    id = Column(String(40), primary_key=True)
    topic = Column(String(40), nullable=False, index=True)  # the intent it answers
    question = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)
    # Words that pick this entry among the topic's entries (专票, 电子发票 …).
    keywords = Column(JSON, nullable=False, default=list)
    position = Column(Integer, nullable=False, default=0)


class ProductQaEntry(Base):
    """A question shoppers ask about one product (the product page's “问大家”) and the merchant's answer."""

    __tablename__ = "product_qa_entries"

    id = Column(String(40), primary_key=True)
    # Catalogue imports never delete products, so the entry's product stays.
    product_id = Column(String(20), ForeignKey("products.id"), nullable=False, index=True)
    question = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)
    # Other words shoppers use for what the question asks about (数据线 for 充电线).
    keywords = Column(JSON, nullable=False, default=list)
    position = Column(Integer, nullable=False, default=0)
