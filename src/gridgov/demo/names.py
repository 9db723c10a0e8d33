"""Generated Chinese names and identifiers for demo people and places (none of them real)."""

import datetime as dt
import random

from gridgov.registry.pii import id_check_char

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文和木"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国建华志强春梅海燕丹云飞晓东文斌雪梅思远子涵浩然雨欣梓萱一诺宇轩"
COMPOUND_WORDS = [
    "玉泉",
    "雪山",
    "古城",
    "象山",
    "金虹",
    "文明",
    "祥和",
    "福慧",
    "白龙",
    "狮子山",
    "七星",
    "花园",
    "锦绣",
    "丽阳",
    "吉祥",
    "龙泉",
    "东坝",
    "南门",
    "北门",
    "恒大",
    "康普",
    "和谐",
]
COMPOUND_SUFFIX = ["小区", "花园", "家园", "苑", "新村", "公寓"]
SHOP_WORDS = [
    "纳西",
    "雪山",
    "古城",
    "玉龙",
    "丽江",
    "东巴",
    "三多",
    "金沙",
    "玉湖",
    "白沙",
    "束河",
    "四方",
]
SHOP_KINDS = [
    ("shop", ["便利店", "超市", "服装店", "银器店", "茶叶店", "手工艺品店"]),
    ("restaurant", ["腊排骨火锅", "米线店", "粑粑店", "餐馆"]),
    ("hotel", ["客栈", "民宿", "酒店"]),
    ("service", ["理发店", "洗衣店", "维修部", "药店"]),
]


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def id_number(rng: random.Random, region: str, used: set[str]) -> tuple[str, dt.date]:
    while True:
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 84))
        first17 = f"{region}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = first17 + id_check_char(first17)
        if number not in used:
            used.add(number)
            return number, birth


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + f"{rng.randrange(0, 10**9):09d}"


def credit_code(rng: random.Random) -> str:
    """18 characters in the shape of a unified social credit code (checksum not computed)."""
    return "92530702" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(10))
