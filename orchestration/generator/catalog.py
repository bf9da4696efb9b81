"""The operator's product catalogue: tariff plans, value-added services, handsets and group
products, with the prices billing uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Product:
    product_id: str
    name_zh: str
    name_en: str
    product_type: str
    category: str
    monthly_fee: float
    voice_minutes: int | None = None
    sms: int | None = None
    data_mb: int | None = None
    overage_voice: float | None = None
    overage_sms: float | None = None
    overage_data: float | None = None
    is_niche: bool = False
    launch_date: str = "2018-01-01"


def _plan(fee: int, minutes: int, sms: int, data_mb: int, voice: float, data: float, launched: str) -> Product:
    return Product(f"PLAN_{fee}", f"{fee}元套餐", f"{fee}-yuan plan", "tariff_plan", "tariff", fee,
                   minutes, sms, data_mb, voice, 0.10, data, False, launched)


def _vas(pid: str, zh: str, en: str, category: str, fee: float, niche: bool, launched: str) -> Product:
    return Product(pid, zh, en, "vas", category, fee, is_niche=niche, launch_date=launched)


PLANS: tuple[Product, ...] = (
    _plan(18, 30, 30, 100, 0.19, 0.29, "2016-03-01"),
    _plan(38, 100, 100, 1024, 0.19, 0.10, "2016-03-01"),
    _plan(58, 200, 150, 3072, 0.19, 0.05, "2017-06-01"),
    _plan(88, 400, 200, 8192, 0.15, 0.03, "2017-06-01"),
    _plan(128, 700, 300, 15360, 0.15, 0.03, "2018-09-01"),
    _plan(188, 1000, 500, 25600, 0.12, 0.03, "2018-09-01"),
    _plan(288, 2000, 800, 40960, 0.10, 0.02, "2020-01-01"),
    _plan(388, 3000, 1000, 61440, 0.10, 0.02, "2020-01-01"),
)

VAS: tuple[Product, ...] = (
    _vas("VAS_CALLER_ID", "来电显示", "Caller ID", "communication", 5, False, "2008-01-01"),
    _vas("VAS_RBT", "彩铃", "Ringback tone", "music", 5, False, "2010-05-01"),
    _vas("VAS_MUSIC", "无线音乐俱乐部", "Music club", "music", 10, False, "2012-03-01"),
    _vas("VAS_NEWS_GENERAL", "手机报(综合版)", "Mobile newspaper (general)", "news", 3, False, "2011-01-01"),
    _vas("VAS_NEWS_SPORTS", "手机报(体育版)", "Mobile newspaper (sports)", "news", 3, True, "2012-06-01"),
    _vas("VAS_NEWS_FINANCE", "手机报(财经版)", "Mobile newspaper (finance)", "news", 3, True, "2012-06-01"),
    _vas("VAS_NEWS_ENTERTAINMENT", "手机报(娱乐版)", "Mobile newspaper (entertainment)", "news", 3, True,
         "2013-01-01"),
    _vas("VAS_CAR", "车主服务", "Car-owner service", "auto", 10, True, "2014-04-01"),
    _vas("VAS_SECURITIES", "手机证券", "Mobile securities", "finance", 10, True, "2013-09-01"),
    _vas("VAS_SECRETARY", "秘书服务", "Secretary service", "business", 5, True, "2012-01-01"),
    _vas("VAS_VOICE_INFO", "语音杂志", "Voice information service", "information", 3, True, "2011-07-01"),
    _vas("VAS_GOLF", "高尔夫资讯", "Golf information service", "sports", 8, True, "2015-05-01"),
    _vas("VAS_GAMES", "手机游戏", "Mobile games", "games", 10, False, "2012-08-01"),
    _vas("VAS_VIDEO", "手机视频", "Mobile video", "video", 15, False, "2014-01-01"),
    _vas("VAS_READING", "手机阅读", "Mobile reading", "reading", 5, False, "2013-05-01"),
    _vas("VAS_MAILBOX", "139邮箱", "Mobile mailbox", "communication", 5, False, "2010-09-01"),
    _vas("VAS_FETION", "飞信会员", "Messaging membership", "communication", 5, False, "2011-03-01"),
    _vas("VAS_MMS_PACK", "彩信包", "MMS pack", "messaging", 5, False, "2011-03-01"),
    _vas("VAS_ROAM_HKMO", "港澳漫游包", "Hong Kong/Macau roaming pack", "travel", 30, True, "2015-07-01"),
    _vas("VAS_ROAM_DOMESTIC", "国内漫游包", "Domestic roaming pack", "travel", 20, False, "2015-07-01"),
    _vas("VAS_DATA_ADDON", "流量加油包", "Data add-on", "data", 20, False, "2016-01-01"),
)

HANDSETS: tuple[Product, ...] = (
    Product("HS_SENIOR", "老年手机", "Senior feature phone", "handset", "handset", 10, launch_date="2019-01-01"),
    Product("HS_MID", "中端智能手机", "Mid-range smartphone", "handset", "handset", 60, launch_date="2022-03-01"),
    Product("HS_FLAGSHIP", "旗舰智能手机", "Flagship smartphone", "handset", "handset", 200,
            launch_date="2023-09-01"),
)

GROUP_PRODUCTS: tuple[Product, ...] = (
    Product("GRP_VPMN", "集团短号网", "Short-number group network", "group_product", "group", 10,
            launch_date="2009-01-01"),
    Product("GRP_CORP_RBT", "集团彩铃", "Corporate ringback tone", "group_product", "group", 5,
            launch_date="2011-01-01"),
)

# the tariff customers were on before today's plan family launched; never sold any more
LEGACY_PLAN = Product("PLAN_LEGACY", "老版全球通套餐", "Legacy plan (withdrawn)", "tariff_plan", "tariff", 58,
                      150, 100, 30, 0.39, 0.10, 1.0, False, "2003-01-01")

PRODUCTS: tuple[Product, ...] = PLANS + (LEGACY_PLAN,) + VAS + HANDSETS + GROUP_PRODUCTS
BY_ID: dict[str, Product] = {p.product_id: p for p in PRODUCTS}
PLAN_IDS: tuple[str, ...] = tuple(p.product_id for p in PLANS)
VAS_IDS: tuple[str, ...] = tuple(p.product_id for p in VAS)


def plan_arrays() -> dict[str, np.ndarray]:
    """Plan prices and allowances as arrays indexed by plan index (0 = cheapest)."""
    return {
        "fee": np.array([p.monthly_fee for p in PLANS], dtype=float),
        "minutes": np.array([p.voice_minutes for p in PLANS], dtype=float),
        "sms": np.array([p.sms for p in PLANS], dtype=float),
        "data_mb": np.array([p.data_mb for p in PLANS], dtype=float),
        "overage_voice": np.array([p.overage_voice for p in PLANS], dtype=float),
        "overage_sms": np.array([p.overage_sms for p in PLANS], dtype=float),
        "overage_data": np.array([p.overage_data for p in PLANS], dtype=float),
    }


def products_columns() -> dict[str, object]:
    """The catalog/products table, sorted by product id."""
    rows = sorted(PRODUCTS, key=lambda p: p.product_id)

    def num(values: list[float | int | None]) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    return {
        "product_id": [p.product_id for p in rows],
        "product_name": [p.name_zh for p in rows],
        "product_name_en": [p.name_en for p in rows],
        "product_type": [p.product_type for p in rows],
        "category": [p.category for p in rows],
        "monthly_fee_yuan": num([p.monthly_fee for p in rows]),
        "included_voice_minutes": num([p.voice_minutes for p in rows]),
        "included_sms": num([p.sms for p in rows]),
        "included_data_mb": num([p.data_mb for p in rows]),
        "overage_voice_yuan_per_minute": num([p.overage_voice for p in rows]),
        "overage_sms_yuan": num([p.overage_sms for p in rows]),
        "overage_data_yuan_per_mb": num([p.overage_data for p in rows]),
        "is_niche": np.array([p.is_niche for p in rows]),
        "launch_date": np.array([p.launch_date for p in rows], dtype="datetime64[D]"),
    }
