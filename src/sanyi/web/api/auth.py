"""API tokens and the caller's identity."""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from sanyi.identity.api import TokenKind
from sanyi.web.api.schemas import ERROR_RESPONSES, PrincipalOut, TokenOut, TokenRequest
from sanyi.web.context import client_ip, container
from sanyi.web.security import CurrentPrincipal

router = APIRouter(tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/login/token", summary="获取 API 令牌 · issue an API token", response_model=TokenOut)
async def issue_token(body: TokenRequest, request: Request) -> TokenOut:
    issued = await run_in_threadpool(
        container(request).identity.login, body.username, body.password, TokenKind.API, client_ip(request)
    )
    return TokenOut(
        access_token=issued.token, expires_at=issued.expires_at, user=PrincipalOut.of(issued.principal)
    )


@router.post("/api/auth/logout", summary="注销当前令牌 · revoke the current token", status_code=204)
def revoke_token(principal: CurrentPrincipal, request: Request) -> None:
    container(request).identity.logout(principal, client_ip(request))


@router.get("/api/me", summary="当前用户 · who am I", response_model=PrincipalOut)
def me(principal: CurrentPrincipal) -> PrincipalOut:
    return PrincipalOut.of(principal)
