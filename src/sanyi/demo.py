"""The demo seed: what ``sanyi demo`` loads into a fresh database.

A synthetic Wenzhou region (20,000 residents, a year of care and of procurement with its two-invoice
check run; generated once, kept on restarts), one demo administrator, an account for each regional
authority, and staff accounts at a tertiary hospital and a community health centre; each password is
freshly generated and printed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sanyi.bootstrap import Container
from sanyi.identity.api import Role, generate_password
from sanyi.infrastructure import migrate
from sanyi.infrastructure.audit import Actor
from sanyi.registry.api import Viewer, first_institution
from sanyi.synth.api import (
    DatabaseSink,
    Progress,
    RegionRequest,
    TraceTargets,
    database_is_empty,
    generate,
    generate_finance,
    generate_pricing,
    generate_procurement,
    generate_trace,
)

DEMO_REGION = RegionRequest(profile="wenzhou", residents=20_000, year=2023, seed=7)
_SYSTEM_VIEWER = Viewer("demo", "admin", None, regional=True)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    institution_kind: str | None = None  # the kind of institution an institution role works at


DEMO_ACCOUNTS: Final = (
    DemoAccount("demo", "演示管理员", Role.ADMIN),
    DemoAccount("yibao", "医保局演示账号", Role.INSURANCE_BUREAU),
    DemoAccount("weijian", "卫健委演示账号", Role.HEALTH_COMMISSION),
    DemoAccount("yigai", "医改办演示账号", Role.REFORM_OFFICE),
    DemoAccount("yiyuan", "医院医保办演示账号", Role.INSTITUTION_STAFF, "general"),
    DemoAccount("jiating", "家庭医生演示账号", Role.FAMILY_DOCTOR, "community_centre"),
)


def prepare_demo(container: Container, progress: Progress | None = None) -> list[tuple[DemoAccount, str]]:
    """Migrate, generate the region if the database has none, and (re)create the demo accounts.

    Returns each account with its new password.
    """
    migrate.upgrade(container.engine)
    if database_is_empty(container.engine):
        generate(DEMO_REGION, [DatabaseSink(container.engine)], progress=progress)
        generate_finance(container.engine, DEMO_REGION.year, DEMO_REGION.seed)
        generate_procurement(container.engine, DEMO_REGION.year, DEMO_REGION.seed)
        container.procurement.check_chain(_SYSTEM_VIEWER)
    if not container.pricing.areas():
        # Price schedules follow from the fee lines (a demo database from before pricing gets them too).
        generate_pricing(container.engine, DEMO_REGION.year, DEMO_REGION.profile)
    if container.trace.example_codes()["dispensed"] is None:
        # Real codes for the public query (/public/trace), with a few planted duplicates.
        made = generate_trace(container.engine, DEMO_REGION.seed, TraceTargets())
        container.trace.ingest(_SYSTEM_VIEWER, made.events, "demo")
    actor = Actor.system("demo")
    credentials = []
    for account in DEMO_ACCOUNTS:
        password = generate_password()
        institution = None
        if account.institution_kind is not None:
            with container.uow() as uow:
                institution = first_institution(uow.connection, account.institution_kind)
        if container.identity.find_user(account.username) is None:
            container.identity.create_user(
                actor, account.username, password, account.role, account.display_name, institution
            )
        else:
            # A password is shown only once, so each demo start issues a new one.
            container.identity.set_password(actor, account.username, password)
        credentials.append((account, password))
    return credentials
