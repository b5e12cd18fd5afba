"""Synthetic Chinese names and place names (made up; never real people or real townships)."""

from __future__ import annotations

from typing import Final

import numpy as np

# The most common surnames cover a large share of the population; weights are rough.
SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARACTERS: Final = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建华建国志强文斌海燕丹鹏飞辉晨宇浩然子涵欣怡梓轩雨萱"
    "博文思远佳怡晓东晓燕国平春梅秋菊建军立新卫东振华永红海波丽华俊杰诗琪梦瑶嘉豪宇航浩宇一诺若曦承泽可馨"
)
TOWNSHIP_STEMS: Final = (
    "城东",
    "城西",
    "城南",
    "城北",
    "江滨",
    "新城",
    "东山",
    "西山",
    "南塘",
    "北岭",
    "莲池",
    "桥头",
    "湖岭",
    "塘下",
    "大荆",
    "仙降",
    "马屿",
    "高楼",
    "湖滨",
    "五马",
    "松台",
    "滨海",
    "状元",
    "永中",
    "海城",
    "灵溪",
    "钱库",
    "金乡",
    "大峃",
    "罗阳",
    "柳市",
    "虹桥",
    "北白象",
    "鳌江",
    "水头",
    "万全",
    "昆阳",
    "宜山",
    "藻溪",
    "矾山",
)


def person_names(rng: np.random.Generator, count: int) -> list[str]:
    surnames = np.array(list(SURNAMES))
    given = np.array(list(GIVEN_CHARACTERS))
    weights = np.linspace(3.0, 0.3, len(surnames))
    picked = rng.choice(surnames, size=count, p=weights / weights.sum())
    first = rng.choice(given, size=count)
    second = rng.choice(given, size=count)
    two_characters = rng.random(count) < 0.7
    return [
        f"{s}{a}{b}" if both else f"{s}{a}"
        for s, a, b, both in zip(
            picked.tolist(), first.tolist(), second.tolist(), two_characters.tolist(), strict=True
        )
    ]


def township_name(index: int, urban: bool) -> str:
    stem = TOWNSHIP_STEMS[index % len(TOWNSHIP_STEMS)]
    round_ = index // len(TOWNSHIP_STEMS)
    suffix = "街道" if urban else ("镇" if index % 4 else "乡")
    return f"{stem}{'' if round_ == 0 else round_ + 1}{suffix}"
