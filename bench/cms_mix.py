"""A mix of report pages as other CMSs serve them, larger than sample 011: for the HTML speed
measure of issue 12 (``bench/parse_bench.py``, kind ``html-cms``).

Each page is a report's article — sample 011's, or one of the torture set's CMS pages
(tests/torture/cms_html.py: layout tables, ``<th>``/``<td>`` labels, ``<br>`` and ``<span>``
in cells, split tables, GBK) — inside the chrome of one of three kinds of government CMS
template, drawn with seeded random text so the mix is the same every run:

- ``tables``: the old table-layout site (a header of spacer images, a menu row, a left
  column of news lists in nested tables, the article in a cell, a footer table);
- ``divs``: a div site with a mega menu (hundreds of links), breadcrumb, share bar, related
  links, a sidebar, a footer with a ``<select>`` of sister sites, large inline scripts;
- ``modern``: class-heavy markup, inline SVG icons, a hidden mobile copy of the menu,
  JSON-LD and bundled scripts and styles in the page.

Pages run from about 150 KB to 500 KB (sample 011 is 118 KB).
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "auditkit" / "data" / "samples" / "011_pingtan-shiyanqu_2023.html"
_HANZI = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
          "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开"
          "它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
          "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资"
          "边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研质务")
_SITES = ["国务院", "省人民政府", "市人民政府", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局",
          "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
          "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局",
          "统计局", "医疗保障局", "信访局", "数据管理局", "税务局", "气象局"]


def _words(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_HANZI) for _ in range(n))


def _script(rng: random.Random, size: int) -> str:
    """Minified-looking JavaScript of about ``size`` characters (never report text)."""
    parts = []
    total = 0
    while total < size:
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 3)))
        piece = (f"function {name}{total}(e,t){{var n=e.length>>{rng.randint(1, 4)},r=[];for(var i=0;i<n;i++)"
                 f"r.push(t[i]&&t[i].{name}?\"{_words(rng, 4)}\":'x<'+i+'>');return r.join(\"|\")}}")
        parts.append(piece)
        total += len(piece)
    return "<script type=\"text/javascript\">" + "".join(parts) + "</script>"


def _style(rng: random.Random, size: int) -> str:
    rules = []
    total = 0
    while total < size:
        rule = (f".c{rng.randint(0, 99999)} .n{rng.randint(0, 999)}>li a:hover{{color:#{rng.randint(0, 0xFFFFFF):06x};"
                f"margin:0 {rng.randint(0, 20)}px;background:url(/img/bg{rng.randint(0, 99)}.png) no-repeat}}")
        rules.append(rule)
        total += len(rule)
    return "<style>" + "".join(rules) + "</style>"


def _news(rng: random.Random, n: int, tag: str = "li") -> str:
    return "".join(f'<{tag}><a href="/art/{rng.randint(10**6, 10**7)}.html" title="{_words(rng, 18)}" target="_blank">'
                   f'{_words(rng, rng.randint(10, 26))}</a><span class="date">2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}'
                   f"</span></{tag}>" for _ in range(n))


def _menu(rng: random.Random, top: int, sub: int) -> str:
    items = []
    for i in range(top):
        subs = "".join(f'<li><a href="/col/col{i}{k}/index.html">{_words(rng, rng.randint(3, 7))}</a></li>'
                       for k in range(sub))
        items.append(f'<li class="nav-item"><a href="/col/col{i}/index.html">{_words(rng, 4)}</a>'
                     f'<ul class="sub-menu">{subs}</ul></li>')
    return '<ul class="nav-list">' + "".join(items) + "</ul>"


def _svg(rng: random.Random) -> str:
    path = " ".join(f"L{rng.randint(0, 24)} {rng.randint(0, 24)}" for _ in range(40))
    return f'<svg class="icon" viewBox="0 0 24 24"><path d="M0 0 {path} Z"/></svg>'


def _tables_template(rng: random.Random, article: str, title: str) -> str:
    spacer = '<img src="/images/spacer.gif" width="1" height="1" alt="">'
    menu = "".join(f'<td class="menu" width="80" align="center"><a href="/col/col{i}/index.html">{_words(rng, 4)}</a>'
                   f"</td><td width=\"2\">{spacer}</td>" for i in range(12))
    boxes = "".join(f'<table width="100%" border="0" cellspacing="0" cellpadding="0" class="left-box"><tr><td class="box-title">'
                    f'{_words(rng, 4)}</td></tr><tr><td><table width="100%">{_news(rng, 14, "tr")}</table></td></tr></table>'
                    for _ in range(6))
    footer_links = "".join(f'<a href="http://www.gov{i}.cn">{s}</a> | ' for i, s in enumerate(_SITES * 2))
    return (f"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><title>{title}</title>"
            f"{_style(rng, 25000)}{_script(rng, 40000)}</head><body>"
            f'<table width="1000" align="center" border="0" cellspacing="0" cellpadding="0"><tr><td height="120" '
            f'class="header">{spacer * 30}</td></tr><tr><td><table class="menu-table"><tr>{menu}</tr></table></td></tr>'
            f'<tr><td><table width="100%"><tr><td width="230" valign="top" class="left">{boxes}</td><td width="10">{spacer}'
            f'</td><td valign="top" class="bt_content"><div class="position">当前位置：<a href="/">首页</a> &gt; '
            f'<a href="/col/col1/index.html">政府信息公开年报</a></div>{article}<div class="tool"><a href="#">【打印本页】</a>'
            f'<a href="#">【关闭窗口】</a></div></td></tr></table></td></tr><tr><td class="footer">{footer_links}'
            f"<p>主办：{rng.choice(_SITES)}　网站标识码：{rng.randint(10**9, 10**10)}</p></td></tr></table>"
            f"{_script(rng, 20000)}</body></html>")


def _divs_template(rng: random.Random, article: str, title: str) -> str:
    related = f'<div class="xglj"><h3>相关链接</h3><ul>{_news(rng, 12)}</ul></div>'
    side = "".join(f'<div class="side-box"><div class="side-title">{_words(rng, 4)}</div><ul>{_news(rng, 15)}</ul></div>'
                   for _ in range(4))
    options = "".join(f'<option value="http://www.gov{i}.cn">{s}</option>' for i, s in enumerate(_SITES * 4))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            + "".join(f'<meta name="m{i}" content="{_words(rng, 20)}">' for i in range(20))
            + f"{_style(rng, 30000)}{_script(rng, 60000)}</head><body>"
            f'<div class="header"><div class="top-bar"><a href="#">无障碍</a><a href="#">长者模式</a></div>'
            f'<div class="logo"><img src="/logo.png"></div><div class="nav">{_menu(rng, 10, 24)}</div></div>'
            f'<div class="main w1200"><div class="breadcrumb">首页 &gt; 政务公开 &gt; 年度报告</div>'
            f'<div class="content-left"><div class="article"><h1 class="art-title">{title}</h1>'
            f'<div class="art-info">发布时间：2024-01-20 来源：本机关 浏览次数：{rng.randint(100, 9999)}</div>'
            f'<div id="zoom" class="art-con">{article}</div><div class="share bdshare">分享到：<a>微信</a><a>微博</a></div>'
            f'</div>{related}</div><div class="sidebar">{side}</div></div>'
            f'<div class="footer"><select onchange="window.open(this.value)"><option>友情链接</option>{options}</select>'
            f'<div class="copyright">版权所有 {rng.choice(_SITES)} ICP备{rng.randint(10**7, 10**8)}号</div></div>'
            f"{_script(rng, 50000)}</body></html>")


def _modern_template(rng: random.Random, article: str, title: str) -> str:
    icons = "".join(f'<a class="quick-link q{i}" href="/s/{i}">{_svg(rng)}<span>{_words(rng, 4)}</span></a>'
                    for i in range(16))
    menu = _menu(rng, 9, 20)
    cards = "".join(f'<div class="card card--news" data-id="{rng.randint(0, 10**6)}"><div class="card__title">'
                    f'{_words(rng, 6)}</div><ul class="card__list">{_news(rng, 10)}</ul></div>' for _ in range(5))
    json_ld = '{"@context":"https://schema.org","@type":"GovernmentOrganization","name":"' + _words(rng, 8) + '"}'
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            + "".join(f'<link rel="preload" href="/static/chunk.{rng.randint(0, 10**8):x}.js" as="script">' for _ in range(30))
            + f'<script type="application/ld+json">{json_ld}</script>{_style(rng, 60000)}</head><body class="page page--article">'
            f'<header class="site-header"><div class="site-header__inner">{icons}<nav class="site-nav">{menu}</nav></div>'
            '</header>'
            f'<div class="mobile-menu" style="display:none">{menu}</div>'
            f'<main class="layout"><div class="layout__main"><article class="detail"><div class="detail__title"><h1>{title}'
            f'</h1></div><div class="detail__meta">发布日期：2024-01-20</div><div class="detail__content">{article}</div>'
            f'</article></div><aside class="layout__aside">{cards}</aside></main>'
            f'<footer class="site-footer">{icons}<p>{_words(rng, 60)}</p></footer>'
            f"{_script(rng, 90000)}{_script(rng, 60000)}</body></html>")


_TEMPLATES = (_tables_template, _divs_template, _modern_template)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


def _article_of(page: str) -> tuple[str, str]:
    """A page's body markup and title."""
    body = _BODY.search(page)
    title = _TITLE.search(page)
    return (body.group(1) if body else page), (title.group(1) if title else "")


def build_mix(folder: Path, copies: int = 3) -> list[Path]:
    """Write the mix into ``folder``: sample 011 as served, and each article (sample 011's, the
    torture set's CMS pages) inside each template, ``copies`` variants each; returns the paths."""
    sys.path.insert(0, str(ROOT))
    from tests.torture.cases import SPECS

    folder.mkdir(parents=True, exist_ok=True)
    articles = [_article_of(SAMPLE.read_text(encoding="utf-8"))]
    for spec in SPECS:
        if spec.name.startswith("cms-") and "gbk" not in spec.name:
            articles.append(_article_of(spec.make().data.decode("utf-8")))
    out = [folder / "011.html"]
    out[0].write_bytes(SAMPLE.read_bytes())
    rng = random.Random(20261203)
    for i, (article, title) in enumerate(articles):
        for k in range(copies):
            template = _TEMPLATES[(i + k) % len(_TEMPLATES)]
            path = folder / f"cms{i:02d}-{k}-{template.__name__.strip('_').split('_')[0]}.html"
            path.write_text(template(rng, article, title), encoding="utf-8")
            out.append(path)
    return out
