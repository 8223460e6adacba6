"""Notifications' own database: eventing tables, notices, deliveries, its directory of people, the
facts reminders are computed from, campaigns and agency webhooks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.storage.tables import add_eventing_tables

metadata = MetaData()
eventing = add_eventing_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"

notices = Table(
    "notices",
    metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("recipient_nip", String(18), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("source_event_id", String(36), nullable=False),
    Column("title_id", Text, nullable=False),
    Column("body_id", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=True),
    Column("category", String(40), nullable=True),
    Column("campaign_id", String(36), nullable=True),
    Column("unit_id", String(60), nullable=True),  # the recipient's unit when the notice was written
    # A redelivered event never gives a person a second notice.
    UniqueConstraint("recipient_nip", "source_event_id", name="uq_notices_recipient_source"),
    # The inbox query: one person's notices, newest first, optionally unread only.
    Index("ix_notices_inbox", "tenant", "recipient_nip", "created_at"),
)
Index("ix_notices_campaign", notices.c.campaign_id)
# A consumer batch asks which of its events already have notices (a redelivery).
Index("ix_notices_source_event", notices.c.source_event_id)

# --- the directory: people and units as the organisation events describe them ----------------
people = Table(
    "people",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    Column("unit_id", String(60), nullable=False),
    Column("unit_name", String(200), nullable=False),
    Column("position_kind", String(40), nullable=False),
    Column("is_unit_head", Boolean, nullable=False),
    Column("atasan_nip", String(18), nullable=True),
    Column("atasan_name", String(200), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

units = Table(
    "units",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("unit_id", String(60), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_unit_id", String(60), nullable=True),
)

preferences = Table(
    "preferences",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("language", String(2), nullable=False),
    Column("channels", JSON, nullable=False),  # category -> ["in_app", "email"]
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# --- facts the reminders are computed from ------------------------------------------------------
plan_states = Table(
    "plan_states",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("period_year", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("employee_name", String(200), nullable=False),
    Column("atasan_nip", String(18), nullable=False),
    Column("atasan_name", String(200), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submission_id", String(36), nullable=False),
)

realisasi_reported = Table(
    "realisasi_reported",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("nip", String(18), primary_key=True),
    Column("period_year", Integer, primary_key=True),
    Column("quarter", Integer, primary_key=True),
)

appeal_windows = Table(
    "appeal_windows",
    metadata,
    Column("tenant", String(40), primary_key=True),
    Column("evaluation_id", String(80), primary_key=True),
    Column("nip", String(18), nullable=False),
    Column("employee_name", String(200), nullable=False),
    Column("period_year", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("predikat", String(40), nullable=False),
    Column("result_at", DateTime(timezone=True), nullable=False),
    Column("closed", Boolean, nullable=False),
    # A new result closes the employee's earlier window for the period: without this index every
    # result scanned the instansi's windows (quadratic over a year-end).
    Index("ix_appeal_windows_employee_period", "tenant", "nip", "period_year", "period"),
)

# One row per reminder ever sent: the primary key is what makes "sent once" hold across workers.
reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("reminder_key", String(200), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("recipient_nip", String(18), nullable=False),
    Column("due", Date, nullable=False),
    Column("notice_id", String(36), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)

# --- outgoing deliveries (e-mail per notice; webhook per event and subscription) -------------------
deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("channel", String(20), nullable=False),  # email | webhook
    Column("notice_id", String(36), nullable=True),  # e-mail: the notice
    Column("recipient_nip", String(18), nullable=True),
    Column("subscription_id", String(36), nullable=True),  # webhook: the subscription
    Column("source_event_id", String(36), nullable=False),
    Column("source_event_type", String(120), nullable=False),
    Column("address", String(2000), nullable=False),  # e-mail address or endpoint URL
    Column("payload", Text, nullable=False),  # e-mail: JSON subject/body; webhook: the exact body sent
    Column("status", String(20), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("channel", "notice_id", name="uq_deliveries_notice_channel"),
    UniqueConstraint("subscription_id", "source_event_id", name="uq_deliveries_subscription_event"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("attempt_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), nullable=False, index=True),
    Column("attempt_no", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(20), nullable=False),  # delivered | retry | failed
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
)

# --- sosialisasi campaigns (read model of the Campaign aggregate) -----------------------------------
campaigns = Table(
    "campaigns",
    metadata,
    Column("campaign_id", String(36), primary_key=True),
    Column("tenant", String(40), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("title_id", String(200), nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("body_id", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("event_at", DateTime(timezone=True), nullable=True),
    Column("place", String(300), nullable=True),
    Column("target", JSON, nullable=False),
    Column("status", String(20), nullable=False),  # draft | published
    Column("created_by", String(18), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("targeted", Integer, nullable=True),
)

# --- agency webhooks ------------------------------------------------------------------------------
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("tenant", String(40), nullable=False, index=True),
    Column("agency", String(18), nullable=False),  # the agency token's subject
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("description", String(300), nullable=True),
    Column("secret", String(200), nullable=False),  # needed to sign; never logged nor shown again
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("secret_rotated_at", DateTime(timezone=True), nullable=True),
)
