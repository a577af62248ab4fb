"""Add the English name (``name_en``) of every region to divisions.csv and townships.csv.

The English name of a Chinese administrative division is its proper name in Hanyu Pinyin
without tones (syllables joined, an apostrophe before a syllable that opens with a, o or
e: Xi'an, Dong'e) followed by its kind in English (County, District, Autonomous
Prefecture …), with the peoples of an autonomous unit by their English names (Liangshan
Yi Autonomous Prefecture). The provinces and regions with long-settled English names keep
them (Inner Mongolia, Tibet, Shaanxi).

Pinyin comes from the ``pypinyin`` package, which is not a dependency of the site: the
names are made here once and committed with the data.

    uv run --no-project --with pypinyin python platform/regions/data/romanise.py

Place names read some characters otherwise than everyday words (六安 Lu'an, 什邡
Shifang, 朝阳 Chaoyang, 浚县 Xun): ``READINGS`` gives those known to us. A reading it
misses shows as a wrong English name, and is mended by adding it there.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent

# Whole names with an English name of their own.
NAMES = {
    "北京市": "Beijing",
    "天津市": "Tianjin",
    "上海市": "Shanghai",
    "重庆市": "Chongqing",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "西藏自治区": "Tibet Autonomous Region",
    "陕西省": "Shaanxi Province",
    "市辖区": "Districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level divisions under the province",
    "自治区直辖县级行政区划": "County-level divisions under the autonomous region",
    "神农架林区": "Shennongjia Forestry District",
    "鄂伦春自治旗": "Oroqen Autonomous Banner",
    "鄂温克族自治旗": "Ewenki Autonomous Banner",
    "西沙群岛": "Xisha Islands",
    "南沙群岛": "Nansha Islands",
    "中沙群岛的岛礁及其海域": "Zhongsha Islands",
}
# Kinds, longest first; ``市`` is a city at every level.
KINDS = [
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("街道", "Subdistrict"),
    ("地区", "Prefecture"),
    ("特区", "Special District"),
    ("新区", "New Area"),
    ("矿区", "Mining District"),
    ("省", "Province"),
    ("市", "City"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("镇", "Town"),
    ("乡", "Township"),
]
# The peoples named in autonomous units (with or without 族).
PEOPLES = {
    "蒙古": "Mongol",
    "回": "Hui",
    "藏": "Tibetan",
    "维吾尔": "Uygur",
    "苗": "Miao",
    "彝": "Yi",
    "壮": "Zhuang",
    "布依": "Bouyei",
    "朝鲜": "Korean",
    "满": "Manchu",
    "侗": "Dong",
    "瑶": "Yao",
    "白": "Bai",
    "土家": "Tujia",
    "哈尼": "Hani",
    "哈萨克": "Kazak",
    "傣": "Dai",
    "黎": "Li",
    "傈僳": "Lisu",
    "佤": "Va",
    "畲": "She",
    "拉祜": "Lahu",
    "水": "Sui",
    "东乡": "Dongxiang",
    "纳西": "Naxi",
    "景颇": "Jingpo",
    "柯尔克孜": "Kirgiz",
    "土": "Tu",
    "达斡尔": "Daur",
    "仫佬": "Mulao",
    "羌": "Qiang",
    "布朗": "Blang",
    "撒拉": "Salar",
    "毛南": "Maonan",
    "仡佬": "Gelao",
    "锡伯": "Xibe",
    "普米": "Pumi",
    "塔吉克": "Tajik",
    "怒": "Nu",
    "鄂温克": "Ewenki",
    "保安": "Bonan",
    "裕固": "Yugur",
    "京": "Gin",
    "独龙": "Derung",
    "鄂伦春": "Oroqen",
}
# Peoples some names give without 族 (伊犁哈萨克自治州).
WITHOUT_ZU = {"蒙古", "哈萨克", "柯尔克孜"}
# Place-name readings of characters (or runs) that everyday words read otherwise.
READINGS = {
    "六安": "lu an",
    "六合": "lu he",
    "什邡": "shi fang",
    "郫都": "pi du",
    "郫": "pi",
    "朝": "chao",
    "都": "du",
    "单": "shan",
    "长": "chang",
    "蔚": "yu",
    "闵行": "min hang",
    "涡阳": "guo yang",
    "浚": "xun",
    "乐亭": "lao ting",
    "东阿": "dong e",
    "枞阳": "zong yang",
    "歙": "she",
    "台州": "tai zhou",
    "天台": "tian tai",
    "蚌埠": "beng bu",
    "亳": "bo",
    "洪洞": "hong tong",
    "铅山": "yan shan",
    "番禺": "pan yu",
    "长子": "zhang zi",
    "丽水": "li shui",
    "莘": "shen",
    "犍为": "qian wei",
    "筠连": "jun lian",
    "荥阳": "xing yang",
    "荥经": "ying jing",
    "会理": "hui li",
    "会东": "hui dong",
    "会泽": "hui ze",
    "阿": "a",
    "宝坻": "bao di",
    "喀什": "ka shi",
    "吐鲁番": "tu lu fan",
    "大埔": "da bu",
    "厦门": "xia men",
    "重庆": "chong qing",
    "行唐": "xing tang",
    "大城": "da cheng",
    "万州": "wan zhou",
    "䢺": "chu",
}
VOWELS = ("a", "o", "e")


def syllables(text: str) -> list[str]:
    """Pinyin syllables of ``text``: ``READINGS`` where they apply, the rest read by
    pypinyin as phrases (so that 成都 is Chengdu and 都江堰 Dujiangyan)."""
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    rest = ""
    i = 0
    while i < len(text):
        for size in range(len(text) - i, 0, -1):
            run = text[i : i + size]
            if run in READINGS:
                if rest:
                    out += lazy_pinyin(rest, style=Style.NORMAL)
                    rest = ""
                out += READINGS[run].split()
                i += size
                break
        else:
            rest += text[i]
            i += 1
    if rest:
        out += lazy_pinyin(rest, style=Style.NORMAL)
    return [s.replace("v", "ü") for s in out]


def pinyin(text: str) -> str:
    parts = syllables(text)
    joined = parts[0] + "".join("'" + s if s.startswith(VOWELS) else s for s in parts[1:])
    return joined[:1].upper() + joined[1:]


def english(name: str) -> str:
    if name in NAMES:
        return NAMES[name]
    kind = ""
    for chinese, english_kind in KINDS:
        if name.endswith(chinese) and len(name) > len(chinese):
            name, kind = name[: -len(chinese)], english_kind
            break
    peoples: list[str] = []
    if kind.startswith("Autonomous"):
        while True:
            for chinese in sorted(PEOPLES, key=len, reverse=True):
                for form in (chinese + "族", *([chinese] if chinese in WITHOUT_ZU else [])):
                    if name.endswith(form) and len(name) > len(form):
                        peoples.insert(0, PEOPLES[chinese])
                        name = name[: -len(form)]
                        break
                else:
                    continue
                break
            else:
                break
    return " ".join([pinyin(name), *peoples, *([kind] if kind else [])])


def rewrite(path: Path) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = [f for f in rows[0] if f != "name_en"] + ["name_en"]
    for row in rows:
        row["name_en"] = english(row["name"])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    for name in ("divisions.csv", "townships.csv"):
        rewrite(DATA / name)
