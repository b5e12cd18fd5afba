"""The demo seed: what ``sanyi demo`` loads into a fresh database.

Until the synthetic region lands this is a small built-in seed: one demo administrator and one
account for each regional authority, each with a freshly generated password printed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sanyi.bootstrap import Container
from sanyi.identity.api import Role, generate_password
from sanyi.infrastructure import migrate
from sanyi.infrastructure.audit import Actor


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role


DEMO_ACCOUNTS: Final = (
    DemoAccount("demo", "演示管理员", Role.ADMIN),
    DemoAccount("yibao", "医保局演示账号", Role.INSURANCE_BUREAU),
    DemoAccount("weijian", "卫健委演示账号", Role.HEALTH_COMMISSION),
    DemoAccount("yigai", "医改办演示账号", Role.REFORM_OFFICE),
)


def prepare_demo(container: Container) -> list[tuple[DemoAccount, str]]:
    """Migrate the database and (re)create the demo accounts; returns each with its new password."""
    migrate.upgrade(container.engine)
    actor = Actor.system("demo")
    credentials = []
    for account in DEMO_ACCOUNTS:
        password = generate_password()
        if container.identity.find_user(account.username) is None:
            container.identity.create_user(
                actor, account.username, password, account.role, account.display_name
            )
        else:
            # A password is shown only once, so each demo start issues a new one.
            container.identity.set_password(actor, account.username, password)
        credentials.append((account, password))
    return credentials
