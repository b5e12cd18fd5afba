"""The composition root: the one place that wires settings, database and services together.

The web app, the CLI and the tests build a :class:`Container` here and reach every service
through it; nothing else constructs services or engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine, MetaData

import sanyi.care.api
import sanyi.compensation.api
import sanyi.drgpay.api
import sanyi.indicators.api
import sanyi.ledger.api
import sanyi.pricing.api
import sanyi.procurement.api
import sanyi.registry.api
import sanyi.settlement.api
import sanyi.supervision.api
import sanyi.synth.api
import sanyi.tiered.api
import sanyi.trace.api
from sanyi.identity.api import IdentityService, LoginPolicy
from sanyi.infrastructure.audit import AuditLog  # registers the audit_log table
from sanyi.infrastructure.db import create_db_engine, metadata
from sanyi.infrastructure.importer import Loader
from sanyi.infrastructure.settings import Settings
from sanyi.infrastructure.sheets import SheetSpec
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, SystemClock


def all_metadata() -> MetaData:
    """The metadata with every context's tables registered (for migrations and tests)."""
    # A context's api imports its tables, which registers them on the shared metadata;
    # the imports at the top of this module have done so already for every context wired here.

    return metadata


@dataclass
class Container:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def engine(self) -> Engine:
        return create_db_engine(self.settings.database_url)

    @cached_property
    def uow(self) -> UnitOfWorkFactory:
        all_metadata()
        return UnitOfWorkFactory(self.engine)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.clock)

    @cached_property
    def identity(self) -> IdentityService:
        settings = self.settings
        return IdentityService(
            self.uow,
            self.clock,
            self.audit,
            settings.secret(),
            LoginPolicy(
                session_hours=settings.session_hours,
                api_token_days=settings.api_token_days,
                max_failures=settings.login_max_failures,
                max_failures_per_ip=settings.login_max_failures_per_ip,
                window_minutes=settings.login_window_minutes,
            ),
        )

    @cached_property
    def registry(self) -> sanyi.registry.api.RegistryService:
        return sanyi.registry.api.RegistryService(
            self.uow, self.clock, self.audit, persons_seen_at=sanyi.care.api.persons_seen_at
        )

    @cached_property
    def care(self) -> sanyi.care.api.CareService:
        return sanyi.care.api.CareService(self.uow, self.clock, self.audit)

    @cached_property
    def settlement(self) -> sanyi.settlement.api.SettlementService:
        # The 事中 supervision check is injected here: supervision sits above settlement.
        mode = self.settings.supervision_mode
        return sanyi.settlement.api.SettlementService(
            self.uow,
            self.clock,
            self.audit,
            screen=None if mode == "off" else sanyi.supervision.api.screen_record,
            block=frozenset({"violation"}) if mode == "block" else frozenset(),
        )

    @cached_property
    def supervision(self) -> sanyi.supervision.api.SupervisionService:
        return sanyi.supervision.api.SupervisionService(self.uow, self.clock, self.audit)

    @cached_property
    def tiered(self) -> sanyi.tiered.api.TieredServices:
        return sanyi.tiered.api.build_services(self.uow, self.clock, self.audit, self.settlement)

    @cached_property
    def drgpay(self) -> sanyi.drgpay.api.DrgPayService:
        return sanyi.drgpay.api.DrgPayService(self.uow, self.clock, self.audit)

    @cached_property
    def indicators(self) -> sanyi.indicators.api.IndicatorService:
        # DRG evaluation sums come from drgpay's cached stays of a year under the indicator policy.
        policy = sanyi.indicators.api.DRG_POLICY
        return sanyi.indicators.api.IndicatorService(
            self.uow, self.clock, self.audit, drg_stays=lambda year: self.drgpay.stays(year, policy)
        )

    @cached_property
    def procurement(self) -> sanyi.procurement.api.ProcurementService:
        return sanyi.procurement.api.ProcurementService(self.uow, self.clock, self.audit)

    @cached_property
    def pricing(self) -> sanyi.pricing.api.PricingService:
        return sanyi.pricing.api.PricingService(self.uow, self.clock, self.audit)

    @cached_property
    def ledger(self) -> sanyi.ledger.api.LedgerService:
        # A task links only indicators of the shipped catalogue.
        known = sanyi.indicators.api.catalogue().indicators
        return sanyi.ledger.api.LedgerService(
            self.uow,
            self.clock,
            self.audit,
            sanyi.ledger.api.EvidenceStore(self.settings.data_dir),
            indicator_known=known.__contains__,
        )

    @cached_property
    def compensation(self) -> sanyi.compensation.api.CompensationService:
        return sanyi.compensation.api.CompensationService(self.uow, self.clock, self.audit)

    @cached_property
    def trace(self) -> sanyi.trace.api.TraceService:
        # Duplicates are raised through supervision's service: trace sits above supervision.
        return sanyi.trace.api.TraceService(
            self.uow, self.clock, self.audit, self.supervision.record_external, self.settings.secret
        )

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def import_specs() -> dict[str, SheetSpec]:
    """Every import template by kind: the registry's and care's, institution finance, price schedules."""
    finance = sanyi.indicators.api.FINANCE
    return {**sanyi.care.api.import_specs(), finance.kind: finance, **sanyi.pricing.api.SPECS}


def import_loader(kind: str) -> Loader:
    """A fresh loader of one kind (finance sits above care, so the two catalogues meet here)."""
    if kind == sanyi.indicators.api.FINANCE.kind:
        return sanyi.indicators.api.FinanceLoader()
    if kind in sanyi.pricing.api.LOADERS:
        loader: Loader = sanyi.pricing.api.LOADERS[kind]()
        return loader
    return sanyi.care.api.import_loader(kind)


def build_container(settings: Settings | None = None, clock: Clock | None = None) -> Container:
    return Container(settings=settings or Settings(), clock=clock or SystemClock())
