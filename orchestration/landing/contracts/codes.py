"""Allowed values the source systems deliver, and the seeds that list reference codes."""

GENDERS = ("M", "F")
CUSTOMER_TYPES = ("C", "B")
BRANDS = ("gotone", "mzone", "easyown")  # premium business, youth, prepaid basic
CUSTOMER_STATUSES = ("active", "suspended", "closed")
MEMBER_TIERS = ("diamond", "gold", "silver", "standard")
ENTERPRISE_SIZES = ("micro", "small", "medium", "large")
PRODUCT_TYPES = ("tariff_plan", "vas", "handset", "group_product")
PAYMENT_METHODS = ("cash", "bank_card", "alipay", "wechat_pay", "auto_debit", "top_up_card")
AREA_TYPES_SEED = ("area_types", "area_type")
CHANNELS_SEED = ("channels", "channel_code")
BILL_ITEMS_SEED = ("bill_item_codes", "bill_item_code")
CONTENT_CATEGORIES = (
    "news", "sports", "entertainment", "finance", "travel", "music", "games", "video", "auto",
    "reading", "lifestyle", "education",
)
HALL_BUSINESS_TYPES = (
    "sim_replacement", "lost_card_suspension", "plan_change", "bill_enquiry", "handset_purchase",
    "new_line", "top_up", "complaint", "vas_order", "account_closure",
)
SMS_QUERY_CODES = ("CXYE", "CXLL", "CXTC", "CXJF", "CXXD")  # balance, data left, plan, points, detail
OFFER_GROUPS = ("action", "control")
OFFER_RESPONSES = ("accepted", "considering", "refused", "no_answer")
COMPLAINT_CATEGORIES = (
    "billing", "network", "service_attitude", "marketing_harassment", "product", "roaming", "other",
)
COMPLAINT_SEVERITIES = ("low", "medium", "high")
CALL_PURPOSES = (
    "bill_enquiry", "balance_enquiry", "plan_enquiry", "fault_report", "complaint",
    "product_order", "roaming_enquiry", "loss_report", "other",
)

CUSTOMER_ID = "Customer service id, stable across systems (e.g. CU00000001)."
