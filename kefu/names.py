"""The names Python code shares with domain.yml: intents, entities, slots, forms, and the actions other
code refers to. Code uses these constants, never the strings; tests/test_names.py checks them against
domain.yml both ways, so that a rename made in one place alone fails a test rather than a conversation.
The suffix says the kind (``_INTENT``, ``_ENTITY``, ``_SLOT``, ``_FORM``, ``_ACTION``); a group of
intents ends in ``_INTENTS``."""

# --- intents ------------------------------------------------------------------------
GREET_INTENT = "greet"
GOODBYE_INTENT = "goodbye"
THANK_INTENT = "thank"
AFFIRM_INTENT = "affirm"
DENY_INTENT = "deny"
BOT_CHALLENGE_INTENT = "bot_challenge"
REQUEST_HUMAN_INTENT = "request_human"
COMPLAIN_INTENT = "complain"
OUT_OF_SCOPE_INTENT = "out_of_scope"
ASK_DELIVERY_TIME_INTENT = "ask_delivery_time"
TRACK_ORDER_INTENT = "track_order"
CANCEL_ORDER_INTENT = "cancel_order"
CHANGE_ADDRESS_INTENT = "change_address"
ASK_SHIPPING_FEE_INTENT = "ask_shipping_fee"
ASK_RETURN_INTENT = "ask_return"
ASK_EXCHANGE_INTENT = "ask_exchange"
ASK_REFUND_STATUS_INTENT = "ask_refund_status"
REPORT_PROBLEM_INTENT = "report_problem"
ASK_INVOICE_INTENT = "ask_invoice"
ASK_WARRANTY_INTENT = "ask_warranty"
ASK_PRODUCT_INFO_INTENT = "ask_product_info"
ASK_STOCK_INTENT = "ask_stock"
ASK_SIZE_ADVICE_INTENT = "ask_size_advice"
ASK_PROMOTION_INTENT = "ask_promotion"
ASK_COUPON_INTENT = "ask_coupon"
ASK_PAYMENT_INTENT = "ask_payment"
REQUEST_RECOMMENDATION_INTENT = "request_recommendation"
INFORM_INTENT = "inform"
# Positive feedback about a product, the delivery or the service (not a question, not a grievance).
PRAISE_INTENT = "praise"
# Rasa's own: what the FallbackClassifier predicts for a message it is unsure of.
NLU_FALLBACK_INTENT = "nlu_fallback"

# --- groups of intents (every intent of domain.yml is in exactly one of the first
# three, or is out_of_scope) ----------------------------------------------------------
# Social moves, not a request (praise asks for nothing: it is thanked, never handled as a grievance).
SMALL_TALK_INTENTS = (GREET_INTENT, GOODBYE_INTENT, THANK_INTENT, BOT_CHALLENGE_INTENT, PRAISE_INTENT)
# The shopper answers the assistant (yes, no, a value) instead of asking.
ANSWER_INTENTS = (AFFIRM_INTENT, DENY_INTENT, INFORM_INTENT)
# Everything a shopper asks or asks for; a merchant's policy or FAQ answer is
# filed under one of them.
REQUEST_INTENTS = (
    ASK_DELIVERY_TIME_INTENT,
    TRACK_ORDER_INTENT,
    CANCEL_ORDER_INTENT,
    CHANGE_ADDRESS_INTENT,
    ASK_SHIPPING_FEE_INTENT,
    ASK_RETURN_INTENT,
    ASK_EXCHANGE_INTENT,
    ASK_REFUND_STATUS_INTENT,
    REPORT_PROBLEM_INTENT,
    ASK_INVOICE_INTENT,
    ASK_WARRANTY_INTENT,
    ASK_PRODUCT_INFO_INTENT,
    ASK_STOCK_INTENT,
    ASK_SIZE_ADVICE_INTENT,
    ASK_PROMOTION_INTENT,
    ASK_COUPON_INTENT,
    ASK_PAYMENT_INTENT,
    REQUEST_RECOMMENDATION_INTENT,
    REQUEST_HUMAN_INTENT,
    COMPLAIN_INTENT,
)
# Requests the after-sales form carries out for one of the shopper's orders.
AFTER_SALES_INTENTS = (
    ASK_RETURN_INTENT,
    ASK_EXCHANGE_INTENT,
    CANCEL_ORDER_INTENT,
    CHANGE_ADDRESS_INTENT,
    REPORT_PROBLEM_INTENT,
    ASK_REFUND_STATUS_INTENT,
)
# Questions about one particular order of the shopper's.
ORDER_QUESTION_INTENTS = (TRACK_ORDER_INTENT, *AFTER_SALES_INTENTS)

# --- entities -----------------------------------------------------------------------
ORDER_ID_ENTITY = "order_id"
PHONE_ENTITY = "phone"
PRODUCT_ENTITY = "product"
CATEGORY_ENTITY = "category"
COLOR_ENTITY = "color"
SIZE_ENTITY = "size"
BUDGET_ENTITY = "budget"
HEIGHT_ENTITY = "height"
WEIGHT_ENTITY = "weight"
QUANTITY_ENTITY = "quantity"
LOCATION_ENTITY = "location"

# --- slots --------------------------------------------------------------------------
# Filled from the entities of the same name.
ORDER_ID_SLOT = "order_id"
PHONE_SLOT = "phone"
PRODUCT_SLOT = "product"
CATEGORY_SLOT = "category"
COLOR_SLOT = "color"
SIZE_SLOT = "size"
BUDGET_SLOT = "budget"
HEIGHT_SLOT = "height"
WEIGHT_SLOT = "weight"
QUANTITY_SLOT = "quantity"
LOCATION_SLOT = "location"

# Who the shopper is, and the order and product under discussion.
PHONE_LAST4_SLOT = "phone_last4"
VERIFIED_CUSTOMER_SLOT = "verified_customer_id"
IDENTITY_KNOWN_SLOT = "identity_known"
VERIFICATION_ATTEMPTS_SLOT = "verification_attempts"
# The shop's systems failed mid-lookup: the shopper already got an apology.
LOOKUP_FAILED_SLOT = "lookup_failed"
CURRENT_PRODUCT_SLOT = "current_product_id"
CURRENT_ORDER_STATUS_SLOT = "current_order_status"
# The order numbers last shown as buttons, so that "第二个" can be resolved.
SHOWN_ORDERS_SLOT = "shown_orders"

# After-sales work (after_sales_form).
AFTER_SALES_TASK_SLOT = "after_sales_task"
OFFERED_TASK_SLOT = "offered_task"
RETURN_ITEMS_SLOT = "return_items"
RETURN_REASON_SLOT = "return_reason"
ITEM_CONDITION_SLOT = "item_condition"
EXCHANGE_VARIANT_SLOT = "exchange_variant"
EXCHANGE_SKU_ID_SLOT = "exchange_sku_id"
NEW_ADDRESS_SLOT = "new_address"
PROBLEM_KIND_SLOT = "problem_kind"
PROBLEM_DESCRIPTION_SLOT = "problem_description"
PROBLEM_RESOLUTION_SLOT = "problem_resolution"
AFTER_SALES_CONFIRMED_SLOT = "after_sales_confirmed"
AFTER_SALES_BLOCKED_SLOT = "after_sales_blocked"
AFTER_SALES_CANCELLED_SLOT = "after_sales_cancelled"
# The shopper said they want the task done ("我要退货"), not how it works: it starts at once.
AFTER_SALES_WANTED_SLOT = "after_sales_wanted"

# Recommendations (recommendation_form).
RECOMMENDATION_SLOT = "recommendation"
RECOMMENDATION_SHOWN_SLOT = "recommendation_shown"
RECOMMENDATION_HANDLED_SLOT = "recommendation_handled"
RECOMMENDATION_CATEGORY_SLOT = "recommendation_category"
RECOMMENDATION_BUDGET_SLOT = "recommendation_budget"

# Handing over to a human (leave_message_form). The status is "queued" while a case
# waits, "ticket" while a message is left; cleared when the bot resumes, so that
# the dialogue policies see a conversation without a handoff.
HANDOFF_STATUS_SLOT = "handoff_status"
TICKET_MESSAGE_SLOT = "ticket_message"
TICKET_CONTACT_SLOT = "ticket_contact"

# Rasa's own: the question a form asks next, and the metadata that started a session.
REQUESTED_SLOT = "requested_slot"
SESSION_STARTED_METADATA_SLOT = "session_started_metadata"

# --- forms --------------------------------------------------------------------------
LEAVE_MESSAGE_FORM = "leave_message_form"
ORDER_VERIFICATION_FORM = "order_verification_form"
AFTER_SALES_FORM = "after_sales_form"
RECOMMENDATION_FORM = "recommendation_form"

# --- actions other code refers to ---------------------------------------------------
HANDOFF_TO_HUMAN_ACTION = "action_handoff_to_human"
# Rasa's own: wait for the shopper's next message.
LISTEN_ACTION = "action_listen"
