"""Open data for the public (no login): what this platform is and what it discloses."""

from fastapi import APIRouter
from pydantic import BaseModel

from sanyi import __version__

router = APIRouter(prefix="/api/public", tags=["public"])


class PlatformInfo(BaseModel):
    name_zh: str
    name_en: str
    version: str


@router.get("/info", summary="平台信息 · platform information", response_model=PlatformInfo)
def platform_info() -> PlatformInfo:
    return PlatformInfo(name_zh="三医联动综合平台", name_en="Sanyi", version=__version__)
