"""Campaign definitions as files: the pydantic schema of ``campaigns/*.yml`` and of the contact
policy ``campaigns/_policy.yml``, and the loader that turns a bad file into an error naming the
file and the field.

A campaign says *who* (target conditions over named customer columns and memberships), *what*
(products, script hints), *how* (channels with daily capacity, calling hours), *when* (window),
*how important* (priority, used to arbitrate the monthly contact cap) and *how measured*
(control-group share). Event-triggered campaigns add a ``trigger`` (see :mod:`.events`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

OUTBOUND_CHANNELS = ("OUTBOUND", "SMS", "MMS", "ACCOUNT_MANAGER", "EMAIL", "WECHAT")
"""Channels that reach out to the customer: never for do-not-disturb customers."""
PASSIVE_CHANNELS = ("APP", "HALL", "HOTLINE", "WEB")
"""Channels where the offer waits for the customer (app inbox, hall clerk's screen, inbound agent)."""
KNOWN_CHANNELS = OUTBOUND_CHANNELS + PASSIVE_CHANNELS
OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_true", "is_false", "is_null", "not_null")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnCondition(_Strict):
    """A comparison on a named column of the customer frame (dim_customer, scores, features)."""

    column: str = Field(min_length=1)
    op: Literal[OPS] = "=="  # type: ignore[valid-type]
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> "ColumnCondition":
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} needs a list value, got {self.value!r}")
        if self.op in ("==", "!=", "<", "<=", ">", ">=") and self.value is None:
            raise ValueError(f"op {self.op!r} needs a value")
        return self


class MemberCondition(_Strict):
    """The customer carries a membership: a tag, a segment, a knowledge group, a cluster …
    (``kind`` names the membership table, ``key`` the member)."""

    member: str = Field(min_length=1, description="the tag / segment / group id")
    kind: str = Field("tag", min_length=1, description="membership kind: tag, segment, knowledge_group, …")
    negate: bool = False


Condition = Annotated[ColumnCondition | MemberCondition, Field(union_mode="left_to_right")]


class Target(_Strict):
    all: list[Condition] = Field(default_factory=list, description="every condition holds")
    any: list[Condition] = Field(default_factory=list, description="at least one holds (when given)")
    reason: str = Field("", description="the marketer's words for why these customers (reason text)")


class ChannelSpec(_Strict):
    channel: str
    capacity_per_day: int = Field(gt=0, description="list rows per day this campaign may send here")

    @field_validator("channel")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in KNOWN_CHANNELS:
            raise ValueError(f"unknown channel {value!r}; known: {', '.join(KNOWN_CHANNELS)}")
        return value


class Window(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Hours(_Strict):
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(20, 0)

    @model_validator(mode="after")
    def _ordered(self) -> "Hours":
        if self.end <= self.start:
            raise ValueError("calling hours end must be after start")
        if self.start < dt.time(8, 0) or self.end > dt.time(21, 0):
            raise ValueError("calling hours must lie within 08:00-21:00 (timing control)")
        return self


class Trigger(_Strict):
    """Event-triggered campaign: fires on events of this type (see events.py)."""

    event: Literal["sim_replacement", "lost_card_suspension", "balance_query", "roaming_start", "bill_shock"]
    within_minutes: int = Field(60, gt=0, description="events older than this at run time are ignored")


class Campaign(_Strict):
    campaign_id: str = Field(pattern=r"^[A-Z0-9_]+$")
    name: str = Field(min_length=1)
    products: list[str] = Field(min_length=1)
    priority: int = Field(ge=0, le=100, description="higher wins when the monthly cap arbitrates")
    target: Target = Field(default_factory=Target)
    channels: list[ChannelSpec] = Field(min_length=1)
    window: Window
    calling_hours: Hours = Field(default_factory=Hours)
    control_share: float = Field(ge=0, lt=0.5)
    script_hints: list[str] = Field(default_factory=list, description="业务对白要点, first is the opener")
    trigger: Trigger | None = None
    value_yuan: float | None = Field(None, gt=0, description="value of an acceptance; default: product fee × 12")

    @field_validator("channels")
    @classmethod
    def _unique_channels(cls, value: list[ChannelSpec]) -> list[ChannelSpec]:
        names = [c.channel for c in value]
        if len(set(names)) != len(names):
            raise ValueError(f"channel listed twice: {names}")
        return value


class Suppression(_Strict):
    complaint_days: int = Field(30, ge=0, description="any complaint within this many days")
    offered_same_product_days: int = Field(30, ge=0)
    refused_days: int = Field(90, ge=0, description="said 'refused' to the same product within")
    arrears_min_days_overdue: int = Field(1, ge=0, description="owing at least this long suppresses")
    fraud_score_column: str = Field("fraud_flag", description="boolean column of the customer frame")


class Policy(_Strict):
    """The contact policy every campaign is subject to (``campaigns/_policy.yml``)."""

    monthly_cap: int = Field(4, ge=0, description="proactive contacts per customer per month, all channels")
    global_holdout_share: float = Field(0.02, ge=0, lt=0.5, description="customers no campaign contacts")
    holdout_salt: str = Field("touchpoint-global-holdout-v1", min_length=1, description="change = new holdout")
    list_days: int = Field(1, ge=1, description="days of channel capacity one run's lists cover")
    channel_capacity_per_day: dict[str, int] = Field(default_factory=dict, description="across all campaigns")
    stratify_by: str = Field("member_tier", description="customer column the control group is stratified by")
    suppression: Suppression = Field(default_factory=Suppression)

    @field_validator("channel_capacity_per_day")
    @classmethod
    def _known_channels(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(set(value) - set(KNOWN_CHANNELS))
        if bad:
            raise ValueError(f"unknown channels {bad}")
        if any(v <= 0 for v in value.values()):
            raise ValueError("capacities must be positive")
        return value


class DefinitionError(ValueError):
    """A campaign or policy file is invalid: the message names the file and the field."""


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML: {exc}") from exc


def _explain(path: Path, exc: ValidationError) -> DefinitionError:
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(file)"
        lines.append(f"{path}: field '{field}': {err['msg']} (got {err.get('input')!r})")
    return DefinitionError("\n".join(lines))


def parse_campaign(data: Any, path: Path | str = "<memory>") -> Campaign:
    try:
        return Campaign.model_validate(data)
    except ValidationError as exc:
        raise _explain(Path(path), exc) from None


def load_policy(folder: Path) -> Policy:
    path = folder / "_policy.yml"
    if not path.exists():
        return Policy()
    try:
        return Policy.model_validate(_read(path) or {})
    except ValidationError as exc:
        raise _explain(path, exc) from None


def load_campaigns(folder: Path, only: str | None = None) -> list[Campaign]:
    """Every ``*.yml`` in ``folder`` not starting with ``_``, sorted by id; ids must be unique."""
    if not folder.is_dir():
        raise FileNotFoundError(f"campaign folder {folder} does not exist")
    campaigns: dict[str, tuple[Path, Campaign]] = {}
    for path in sorted(folder.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        campaign = parse_campaign(_read(path), path)
        if campaign.campaign_id in campaigns:
            other = campaigns[campaign.campaign_id][0]
            raise DefinitionError(f"{path}: field 'campaign_id': {campaign.campaign_id} already defined in {other}")
        campaigns[campaign.campaign_id] = (path, campaign)
    result = [c for _, c in sorted(campaigns.values(), key=lambda pc: pc[1].campaign_id)]
    if only is not None:
        result = [c for c in result if c.campaign_id == only]
        if not result:
            raise DefinitionError(f"{folder}: no campaign with campaign_id {only!r}")
    return result
