"""Where the operator's customers live and move: cities, districts, base-station cells and
service halls."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.generator.seed_codes import SeedCodes

# city, tier, share of customers, centre (lat, lon), districts with ID-card area codes
CITIES: tuple[tuple[str, int, float, tuple[float, float], tuple[tuple[str, str], ...]], ...] = (
    ("广州", 1, 0.35, (23.13, 113.26), (("天河区", "440106"), ("越秀区", "440104"), ("海珠区", "440105"),
                                      ("白云区", "440111"), ("番禺区", "440113"), ("黄埔区", "440112"))),
    ("深圳", 1, 0.30, (22.54, 114.06), (("福田区", "440304"), ("南山区", "440305"), ("罗湖区", "440303"),
                                      ("宝安区", "440306"), ("龙岗区", "440307"))),
    ("佛山", 2, 0.18, (23.02, 113.12), (("禅城区", "440604"), ("南海区", "440605"), ("顺德区", "440606"))),
    ("东莞", 2, 0.17, (23.02, 113.75), (("南城街道", "441900"), ("东城街道", "441900"), ("长安镇", "441900"),
                                      ("虎门镇", "441900"))),
)
CITY_NAMES: tuple[str, ...] = tuple(c[0] for c in CITIES)
CITY_SHARES = np.array([c[2] for c in CITIES])
CITY_TIERS = np.array([c[1] for c in CITIES])
DISTRICTS: tuple[tuple[int, str, str], ...] = tuple(
    (ci, name, code) for ci, city in enumerate(CITIES) for name, code in city[4]
)  # (city index, district name, area code)

# share of cells and a floor on the count, per area type
_AREA_MIX = {
    "residential": (0.38, 8), "business_district": (0.20, 8), "industrial_park": (0.10, 4),
    "campus": (0.06, 6), "transport_hub": (0.05, 6), "scenic_area": (0.06, 4), "golf_course": (0.03, 4),
    "rural": (0.12, 4),
}


@dataclass
class Cells:
    """Base-station cells as parallel arrays."""

    cell_no: np.ndarray  # 1-based number in CELLnnnnn
    city: np.ndarray  # city index
    district: np.ndarray  # index into DISTRICTS
    area_type: np.ndarray  # str
    latitude: np.ndarray
    longitude: np.ndarray
    name: list[str]

    def of_type(self, area_type: str, city: int | None = None) -> np.ndarray:
        mask = self.area_type == area_type
        if city is not None:
            mask &= self.city == city
        return np.flatnonzero(mask)


def build_cells(n_customers: int, seeds: SeedCodes, rng: np.random.Generator) -> Cells:
    """~300-600 cells spread over the cities' districts, every area type from the seed present
    in every city where it matters."""
    n = int(np.clip(round(n_customers / 40), 300, 600))
    unknown = set(_AREA_MIX) - set(seeds.area_types)
    if unknown:
        raise ValueError(f"area types {sorted(unknown)} are not in seeds/area_types.csv")
    zh = dict(zip(seeds.area_types, seeds.seed_values("area_types", "area_type_name_zh")))
    types: list[str] = []
    for area, (share, floor) in _AREA_MIX.items():
        types += [area] * max(floor, round(n * share))
    types_arr = np.array(types)
    total = len(types_arr)
    # every city gets its share of each type; round-robin so small types reach all cities
    city = np.empty(total, dtype=np.int64)
    for area in _AREA_MIX:
        idx = np.flatnonzero(types_arr == area)
        order = np.argsort(-CITY_SHARES, kind="stable")
        counts = np.floor(CITY_SHARES * len(idx)).astype(int)
        for k in range(len(idx) - counts.sum()):
            counts[order[k % len(order)]] += 1
        city[idx] = np.repeat(np.arange(len(CITIES)), counts)
    district = np.empty(total, dtype=np.int64)
    for ci in range(len(CITIES)):
        in_city = np.flatnonzero(city == ci)
        choices = np.array([d for d, dist in enumerate(DISTRICTS) if dist[0] == ci])
        district[in_city] = choices[np.arange(len(in_city)) % len(choices)]
        district[in_city] = rng.permutation(district[in_city])
    centre = np.array([CITIES[c][3] for c in city])
    d_offset = np.array([[0.05 * np.cos(d * 2.1), 0.05 * np.sin(d * 2.1)] for d in district])
    lat = np.round(centre[:, 0] + d_offset[:, 0] + rng.normal(0, 0.015, total), 6)
    lon = np.round(centre[:, 1] + d_offset[:, 1] + rng.normal(0, 0.015, total), 6)
    # stable ordering: by city, district, area type; numbered in that order
    order = np.lexsort((types_arr, district, city))
    city, district, types_arr, lat, lon = city[order], district[order], types_arr[order], lat[order], lon[order]
    seq: dict[tuple[int, str], int] = {}
    names = []
    for d, t in zip(district.tolist(), types_arr.tolist()):
        seq[(d, t)] = seq.get((d, t), 0) + 1
        names.append(f"{DISTRICTS[d][1]}{zh[t]}{seq[(d, t)]:02d}")
    return Cells(np.arange(1, total + 1), city, district, types_arr, lat, lon, names)


def cells_columns(cells: Cells, cell_ids: np.ndarray) -> dict[str, object]:
    return {
        "cell_id": cell_ids,
        "cell_name": cells.name,
        "city": [CITY_NAMES[c] for c in cells.city],
        "district": [DISTRICTS[d][1] for d in cells.district],
        "area_type": cells.area_type,
        "latitude": cells.latitude,
        "longitude": cells.longitude,
    }


@dataclass
class Halls:
    """Service halls: one or two per district, each at a business or residential cell."""

    district: np.ndarray
    cell: np.ndarray  # index into Cells
    name: list[str]

    def __len__(self) -> int:
        return len(self.cell)


def build_halls(cells: Cells, rng: np.random.Generator, n_halls: int = 20) -> Halls:
    districts = list(range(len(DISTRICTS)))
    extra = [d for d in districts if DISTRICTS[d][0] in (0, 1)][: max(0, n_halls - len(districts))]
    chosen_district, chosen_cell, names = [], [], []
    for d in sorted(districts + extra):
        pool = np.flatnonzero((cells.district == d) & np.isin(cells.area_type, ["business_district", "residential"]))
        if len(pool) == 0:
            pool = np.flatnonzero(cells.district == d)
        free = np.array([c for c in pool.tolist() if c not in chosen_cell], dtype=np.int64)
        pool = free if len(free) else pool
        cell = int(rng.choice(pool))
        k = chosen_district.count(d) + 1
        city, dname = CITY_NAMES[DISTRICTS[d][0]], DISTRICTS[d][1]
        names.append(f"{city}{dname}{'中心' if k == 1 else '第二'}营业厅")
        chosen_district.append(d)
        chosen_cell.append(cell)
    return Halls(np.array(chosen_district), np.array(chosen_cell), names)


def halls_columns(halls: Halls, cells: Cells, cell_ids: np.ndarray, hall_ids: object) -> dict[str, object]:
    return {
        "hall_id": hall_ids,
        "hall_name": halls.name,
        "city": [CITY_NAMES[DISTRICTS[d][0]] for d in halls.district],
        "district": [DISTRICTS[d][1] for d in halls.district],
        "cell_id": np.asarray(cell_ids)[halls.cell],
    }
