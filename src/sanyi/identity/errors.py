"""Errors of identity and access."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

AUTH_REQUIRED = ErrorSpec("AUTH_REQUIRED", ErrorKind.UNAUTHENTICATED, "请先登录", "please log in first")
AUTH_INVALID_CREDENTIALS = ErrorSpec(
    "AUTH_INVALID_CREDENTIALS", ErrorKind.UNAUTHENTICATED, "用户名或密码错误", "wrong username or password"
)
AUTH_THROTTLED = ErrorSpec(
    "AUTH_THROTTLED",
    ErrorKind.THROTTLED,
    "登录失败次数过多，请 {minutes} 分钟后再试",
    "too many failed logins; try again in {minutes} minutes",
)
AUTH_FORBIDDEN = ErrorSpec(
    "AUTH_FORBIDDEN", ErrorKind.FORBIDDEN, "当前角色无权执行此操作", "your role may not do this"
)
AUTH_CSRF_FAILED = ErrorSpec(
    "AUTH_CSRF_FAILED",
    ErrorKind.FORBIDDEN,
    "表单已过期或来源无效，请刷新页面后重试",
    "the form expired or did not come from this site; reload the page and try again",
)
USER_EXISTS = ErrorSpec(
    "USER_EXISTS", ErrorKind.CONFLICT, "用户 {username} 已存在", "user {username} already exists"
)
USER_NOT_FOUND = ErrorSpec(
    "USER_NOT_FOUND", ErrorKind.NOT_FOUND, "用户 {username} 不存在", "no user {username}"
)
USER_INVALID_USERNAME = ErrorSpec(
    "USER_INVALID_USERNAME",
    ErrorKind.INVALID,
    "用户名须为 3-32 位小写字母、数字或 _ . -，并以字母开头",
    "a username has 3-32 characters: lower-case letters, digits, _ . -, starting with a letter",
)
USER_WEAK_PASSWORD = ErrorSpec(
    "USER_WEAK_PASSWORD",
    ErrorKind.INVALID,
    "密码至少需要 {length} 个字符",
    "a password needs at least {length} characters",
)
USER_INSTITUTION_REQUIRED = ErrorSpec(
    "USER_INSTITUTION_REQUIRED",
    ErrorKind.INVALID,
    "角色“{role}”必须指定所属机构",
    "role {role} needs an institution",
)
USER_INSTITUTION_NOT_ALLOWED = ErrorSpec(
    "USER_INSTITUTION_NOT_ALLOWED",
    ErrorKind.INVALID,
    "角色“{role}”为区域角色，不能指定机构",
    "role {role} is regional and has no institution",
)
