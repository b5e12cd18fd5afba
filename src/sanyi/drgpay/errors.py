"""Errors of DRG point-method payment. Most are reported per record and handled by a stated rule."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

DRGPAY_NO_POLICY = ErrorSpec(
    "DRGPAY_NO_POLICY",
    ErrorKind.INVALID,
    "政策包 {package} 没有 drg_payment（DRG 点数法付费）参数",
    "policy package {package} has no drg_payment section",
)
DRGPAY_INVALID_YEARS = ErrorSpec(
    "DRGPAY_INVALID_YEARS",
    ErrorKind.INVALID,
    "历史年度“{years}”无效：{reason}",
    "invalid history years {years!r}: {reason}",
)
DRGPAY_NO_HISTORY = ErrorSpec(
    "DRGPAY_NO_HISTORY",
    ErrorKind.INVALID,
    "历史年度 {years} 没有可用于计算基准点数的入组病例",
    "the history years {years} hold no grouped case to compute base points from",
)
DRGPAY_TOO_FEW_CASES = ErrorSpec(
    "DRGPAY_TOO_FEW_CASES",
    ErrorKind.INVALID,
    "病组 {drg} 历史病例 {cases} 例，少于 {minimum} 例：不定基准点数，病例转特病单议",
    "group {drg} has {cases} history cases, fewer than {minimum}: no base points, "
    "its cases go to expert review",
)
DRGPAY_NO_BASE_POINTS = ErrorSpec(
    "DRGPAY_NO_BASE_POINTS",
    ErrorKind.INVALID,
    "病组 {drg} 没有基准点数（无历史或病例过少）：病例 {stay} 转特病单议",
    "group {drg} has no base points (no history or too few cases): stay {stay} goes to expert review",
)
DRGPAY_UNGROUPED = ErrorSpec(
    "DRGPAY_UNGROUPED",
    ErrorKind.INVALID,
    "病例 {stay} 未能入组（{status}）：转特病单议",
    "stay {stay} failed grouping ({status}): it goes to expert review",
)
DRGPAY_HOSPITAL_WITHOUT_LEVEL = ErrorSpec(
    "DRGPAY_HOSPITAL_WITHOUT_LEVEL",
    ErrorKind.INVALID,
    "医院 {hospital} 没有等级：按“未定级”计高倍率界值与等级系数",
    "hospital {hospital} has no level: paid as unrated for the high-cost threshold and level coefficient",
)
DRGPAY_INVALID_BUDGET = ErrorSpec(
    "DRGPAY_INVALID_BUDGET",
    ErrorKind.INVALID,
    "住院统筹基金预算“{budget}”无效：须大于零",
    "invalid inpatient fund budget {budget!r}: it must be above zero",
)
DRGPAY_NO_POINTS = ErrorSpec(
    "DRGPAY_NO_POINTS",
    ErrorKind.INVALID,
    "{period} 全区总点数为零，无法计算点值",
    "the region's total points for {period} are zero: no point value can be computed",
)
DRGPAY_UNKNOWN_HOSPITAL = ErrorSpec(
    "DRGPAY_UNKNOWN_HOSPITAL",
    ErrorKind.NOT_FOUND,
    "本期没有医院 {hospital} 的病例",
    "no stays of hospital {hospital} in this period",
)
DRGPAY_NOT_SETTLED = ErrorSpec(
    "DRGPAY_NOT_SETTLED",
    ErrorKind.INVALID,
    "病例 {stay} 未能结算（{reason}）：不按点数付费，需人工核查",
    "stay {stay} could not be settled ({reason}): not paid by points, check it by hand",
)
DRGPAY_REVIEW_EXISTS = ErrorSpec(
    "DRGPAY_REVIEW_EXISTS",
    ErrorKind.CONFLICT,
    "病例 {stay} 已提交特病单议（{status}）",
    "stay {stay} is already submitted for expert review ({status})",
)
DRGPAY_REVIEW_NOT_FOUND = ErrorSpec(
    "DRGPAY_REVIEW_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "没有特病单议申请 {review}",
    "no expert review request {review}",
)
DRGPAY_REVIEW_DECIDED = ErrorSpec(
    "DRGPAY_REVIEW_DECIDED",
    ErrorKind.CONFLICT,
    "特病单议申请 {review} 已评审（{status}），不能再改",
    "expert review request {review} is already decided ({status})",
)
DRGPAY_INVALID_POINTS = ErrorSpec(
    "DRGPAY_INVALID_POINTS",
    ErrorKind.INVALID,
    "评审点数“{points}”无效：须为不小于零、最多四位小数的数",
    "invalid review points {points!r}: a number of at least zero with at most four decimals",
)
DRGPAY_INVALID_REVIEW = ErrorSpec(
    "DRGPAY_INVALID_REVIEW",
    ErrorKind.INVALID,
    "特病单议申请无效：{reason}",
    "invalid expert review request: {reason}",
)
DRGPAY_UNKNOWN_TABLE = ErrorSpec(
    "DRGPAY_UNKNOWN_TABLE",
    ErrorKind.NOT_FOUND,
    "没有基准点数表 {version}",
    "no base-point table {version}",
)
