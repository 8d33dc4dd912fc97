"""The 31 province-level divisions of the mainland: full name, short form, 2-digit code (GB/T 2260).

One table for the importer (recognising places in a report) and the build (filing a body under its
province when its registry entry has a province but no region code).
"""

from __future__ import annotations

PROVINCES = (
    ("北京市", "北京", "11"), ("天津市", "天津", "12"), ("河北省", "河北", "13"), ("山西省", "山西", "14"),
    ("内蒙古自治区", "内蒙古", "15"), ("辽宁省", "辽宁", "21"), ("吉林省", "吉林", "22"),
    ("黑龙江省", "黑龙江", "23"), ("上海市", "上海", "31"), ("江苏省", "江苏", "32"), ("浙江省", "浙江", "33"),
    ("安徽省", "安徽", "34"), ("福建省", "福建", "35"), ("江西省", "江西", "36"), ("山东省", "山东", "37"),
    ("河南省", "河南", "41"), ("湖北省", "湖北", "42"), ("湖南省", "湖南", "43"), ("广东省", "广东", "44"),
    ("广西壮族自治区", "广西", "45"), ("海南省", "海南", "46"), ("重庆市", "重庆", "50"), ("四川省", "四川", "51"),
    ("贵州省", "贵州", "52"), ("云南省", "云南", "53"), ("西藏自治区", "西藏", "54"), ("陕西省", "陕西", "61"),
    ("甘肃省", "甘肃", "62"), ("青海省", "青海", "63"), ("宁夏回族自治区", "宁夏", "64"),
    ("新疆维吾尔自治区", "新疆", "65"),
)  # fmt: skip

CODE_OF = {full: code for full, _short, code in PROVINCES}
