"""The method page: the formats, the rules and the glossary, from the one description of each."""

from __future__ import annotations

from gkgen.formats import all_formats, rules
from gkgen.site import urls
from gkgen.site.page import Page, html
from gkgen.site.render import Renderer
from gkgen.site.views import Crumb

# The rows of the official tables in plain words (the method page's glossary).
GLOSSARY = (
    ("本年新收申请", "这一年收到的政府信息公开申请件数（表格三“一、本年新收政府信息公开申请数量”）。"),
    ("上年结转申请", "上一年收到、到年底还没办完，转到这一年继续办理的申请。"),
    ("予以公开", "申请的信息全部提供给了申请人。"),
    ("部分公开", "只提供了申请信息的一部分（其余部分不能公开，例如涉及他人隐私），只计这一种情形。"),
    (
        "不予公开",
        "依法不提供，并说明理由：国家秘密，其他法律行政法规禁止公开，危及国家安全、公共安全、经济安全和社会稳定"
        "（“三安全一稳定”），保护第三方合法权益，三类内部事务信息，四类过程性信息，行政执法案卷，行政查询事项。",
    ),
    ("无法提供", "机关没有这项信息、需要另行制作才能提供，或申请人补正后申请内容仍不明确。"),
    (
        "不予处理",
        "不作为信息公开申请处理：信访举报投诉类申请、重复申请、要求提供公开出版物、无正当理由大量反复申请、"
        "要求机关确认或重新出具已获取的信息。",
    ),
    ("其他处理", "以上都不是的结果，例如申请人逾期不补正、逾期不缴纳费用，机关不再处理。"),
    ("（七）总计", "这一年办结的申请件数，等于以上各项办理结果之和。"),
    ("结转下年度继续办理", "到年底还没办完、转到下一年的申请。"),
    ("行政复议", "申请人对答复不服，向上级机关申请复查；表格四按结果分为维持、纠正、其他结果、尚未审结。"),
    ("行政诉讼", "申请人对答复不服，向法院起诉；分为未经复议直接起诉和复议后起诉两类。"),
    ("结果维持", "复议机关或法院认为机关的答复正确。"),
    ("结果纠正", "复议机关或法院撤销、变更机关的答复，或确认答复违法、责令重新答复。"),
)


def method_context() -> dict:
    """The method page: the formats, the rules and the glossary, from the one description of each."""
    formats = sorted((f for f in all_formats().values() if f.has_tables), key=lambda f: f.id)
    within = [r for r in rules.RULE_NAMES if r not in rules.CROSS_YEAR_RULES]
    return {
        "formats": formats,
        "rule_names": [rules.RULE_NAMES[r] for r in within]
        + [
            f"{rules.RULE_NAMES['carry_chain']}：同一机构相邻两年的报告都在本档案中时核对",
            f"{rules.RULE_NAMES['in_force_chain']}（2021年版格式；只作提示，清理文件会使它不成立）",
        ],
        "glossary": GLOSSARY,
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("说明")],
    }


def method_page(site: Renderer) -> Page:
    """It shows no report: only the formats, the rules and the glossary (the code)."""
    return Page(urls.output_path(urls.METHOD), html(site, "method.html", method_context))
