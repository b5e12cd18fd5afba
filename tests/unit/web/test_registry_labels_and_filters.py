"""Every enum value shown on a registry or care page has a label; query filters parse or fail loudly."""

from datetime import UTC, datetime

import pytest

from sanyi.care.api import EncounterType
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import (
    Assistance,
    GroupKind,
    InstitutionKind,
    KeyGroup,
    LicenceType,
    Ownership,
    PopulationGroup,
    Scheme,
    Tier,
)
from sanyi.web.filters import EncounterParams, InstitutionParams, ResidentParams
from sanyi.web.i18n import LANGUAGES, catalogue

LABELLED = {
    "registry.kind": InstitutionKind,
    "registry.ownership": Ownership,
    "registry.licence": LicenceType,
    "registry.key_group": KeyGroup,
    "registry.scheme": Scheme,
    "registry.population": PopulationGroup,
    "registry.assistance_kind": Assistance,
    "registry.group_kind": GroupKind,
    "care.type": EncounterType,
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_enum_value_has_a_label(language: str) -> None:
    messages = catalogue(language)
    missing = [
        f"{prefix}.{member.value}"
        for prefix, kind in LABELLED.items()
        for member in kind
        if f"{prefix}.{member.value}" not in messages
    ]
    missing += [f"registry.tier.{int(tier)}" for tier in Tier if f"registry.tier.{int(tier)}" not in messages]
    assert missing == []


def test_empty_form_fields_mean_any() -> None:
    where = InstitutionParams(q=" ", area="", kind="", tier="", ownership="", primary_care="").to_filter()
    assert (where.text, where.area, where.kind, where.tier, where.ownership, where.primary_care) == (
        None,
        None,
        None,
        None,
        None,
        None,
    )
    parsed = InstitutionParams(kind="tcm", tier="3", ownership="private", primary_care="false").to_filter()
    assert (parsed.kind, parsed.tier, parsed.ownership, parsed.primary_care) == (
        InstitutionKind.TCM,
        Tier.THIRD,
        Ownership.PRIVATE,
        False,
    )


@pytest.mark.parametrize(
    ("params", "path"),
    [
        (InstitutionParams(kind="spa"), "kind"),
        (InstitutionParams(tier="4"), "tier"),
        (InstitutionParams(primary_care="maybe"), "primary_care"),
        (ResidentParams(key_group="smokers"), "key_group"),
        (EncounterParams(date_from="2023-13-01"), "date_from"),
        (EncounterParams(type="telemedicine"), "type"),
    ],
)
def test_a_wrong_filter_value_names_its_parameter(params: object, path: str) -> None:
    with pytest.raises(DomainError) as error:
        if isinstance(params, EncounterParams | InstitutionParams):
            params.to_filter()
        elif isinstance(params, ResidentParams):
            params.to_search()
    assert error.value.code == "REQUEST_INVALID" and error.value.path == path


def test_dates_are_shanghai_calendar_days_with_both_ends_included() -> None:
    where = EncounterParams(date_from="2023-06-01", date_to="2023-06-30").to_filter()
    assert where.start_from is not None and where.start_to is not None
    assert where.start_from.astimezone(UTC) == datetime(2023, 5, 31, 16, 0, tzinfo=UTC)
    assert where.start_to.astimezone(UTC) == datetime(2023, 6, 30, 16, 0, tzinfo=UTC)
    assert ResidentParams(q="123X", key_group="elderly_65").to_search().key_group is KeyGroup.ELDERLY
