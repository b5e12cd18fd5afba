"""Database tables of the registry."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
)

from sanyi.infrastructure.db import metadata

areas = Table(
    "areas",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(12), ForeignKey("areas.code"), nullable=True),
    Column("urban", Boolean, nullable=True),
    Index("ix_areas_parent_code", "parent_code"),
)

institutions = Table(
    "institutions",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("area_code", String(12), ForeignKey("areas.code"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("tier", SmallInteger, nullable=False),
    Column("grade", String(4), nullable=True),
    Column("ownership", String(16), nullable=False),
    Column("for_profit", Boolean, nullable=False),
    Column("beds", Integer, nullable=False),
    Column("opened_on", Date, nullable=True),
    Column("named_provincial", Boolean, nullable=False),
    Index("ix_institutions_area_code", "area_code"),
)

institution_departments = Table(
    "institution_departments",
    metadata,
    Column(
        "institution_code", String(12), ForeignKey("institutions.code", ondelete="CASCADE"), primary_key=True
    ),
    Column("department_code", String(8), primary_key=True),
)

# Each change of an institution's bed count, dated, with the count before it: the indicators count
# beds and open bed days as they stood in each month, not at today's count.
institution_bed_changes = Table(
    "institution_bed_changes",
    metadata,
    Column(
        "institution_code", String(12), ForeignKey("institutions.code", ondelete="CASCADE"), primary_key=True
    ),
    Column("changed_on", Date, primary_key=True),
    Column("beds_before", Integer, nullable=False),
    Column("beds_after", Integer, nullable=False),
)

medical_groups = Table(
    "medical_groups",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("area_code", String(12), ForeignKey("areas.code"), nullable=False),
    Column("lead_institution", String(12), ForeignKey("institutions.code"), nullable=False),
)

medical_group_members = Table(
    "medical_group_members",
    metadata,
    Column("group_code", String(32), ForeignKey("medical_groups.code", ondelete="CASCADE"), primary_key=True),
    Column("institution_code", String(12), ForeignKey("institutions.code"), primary_key=True),
    Index("ix_medical_group_members_institution_code", "institution_code"),
)

practitioners = Table(
    "practitioners",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("licence_type", String(16), nullable=False),
    Column("specialty", String(8), nullable=True),
    Column("general_practitioner", Boolean, nullable=False),
)

practice_sites = Table(
    "practice_sites",
    metadata,
    Column(
        "practitioner_code",
        String(16),
        ForeignKey("practitioners.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("institution_code", String(12), ForeignKey("institutions.code"), primary_key=True),
    Column("department_code", String(8), nullable=True),
    Column("main", Boolean, nullable=False),
    Index("ix_practice_sites_institution_code", "institution_code"),
)

residents = Table(
    "residents",
    metadata,
    Column("person_id", String(32), primary_key=True),
    Column("citizen_id", String(18), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("household_area", String(12), ForeignKey("areas.code"), nullable=False),
    Column("residence_area", String(12), ForeignKey("areas.code"), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("death_date", Date, nullable=True),
    Column("pregnant", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("severe_mental", Boolean, nullable=False),
    Column("hypertension", Boolean, nullable=False),
    Column("diabetes", Boolean, nullable=False),
    Column("tuberculosis", Boolean, nullable=False),
    Column("scheme", String(16), nullable=True),
    Column("population_group", String(16), nullable=True),
    Column("home_region", String(6), nullable=True),
    Column("assistance", String(16), nullable=True),
    Index("ix_residents_residence_area", "residence_area"),
)
