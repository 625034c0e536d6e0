"""The trace's equations in MathML, which browsers render natively: ``Zh = X @ Wh + Bh`` becomes
Z_h = X · W_h + B_h. ``@`` (matrix product) is written ·, ``*`` (element by element) ⊙,
``.T`` a superscript T, and ``Σ_rows`` a sum with "rows" under it.

>>> mathml("Zh = X @ Wh")
'<math><msub><mi>Z</mi><mi>h</mi></msub><mo>=</mo><mi>X</mi><mo>·</mo><msub><mi>W</mi><mi>h</mi></msub></math>'
"""

from __future__ import annotations

import html
import re

TOKEN = re.compile(
    r"(?P<sum>Σ_rows)|(?P<name>[A-Za-zσηδ][A-Za-z0-9]*)|(?P<num>\d+(\.\d+)?)"
    r"|(?P<T>\.T)|(?P<prime>')|(?P<sq>²)|(?P<half>½)|(?P<space>\s+)|(?P<other>.)"
)
# a matrix name: one capital and its layer, the seed's letter (Zh, Wo) or an index (Z2)
MATRIX = re.compile(r"(d?)([A-Z])([a-z]|\d+)")
WORDS = {"log", "exp", "tanh", "if", "else", "rows", "clip", "softmax"}
OPERATORS = {"@": "·", "*": "⊙", "−": "−", "-": "−"}


def mathml(equation: str) -> str:
    """``<math>…</math>`` for one trace equation (any trailing remark in
    two spaces and parentheses is kept as text)."""
    remark = ""
    if "  (" in equation:
        equation, remark = equation.split("  (", 1)
        remark = "(" + remark
    out: list[str] = []
    for m in TOKEN.finditer(equation):
        kind, text = m.lastgroup, m.group()
        if kind == "space":
            continue
        if kind == "sum":
            out.append("<munder><mo>Σ</mo><mtext>rows</mtext></munder>")
        elif kind == "name":
            out.append(_name(text))
        elif kind == "num":
            out.append(f"<mn>{text}</mn>")
        elif kind in ("T", "prime", "sq") and out:
            sup = {"T": "<mi>T</mi>", "prime": "<mo>′</mo>", "sq": "<mn>2</mn>"}[kind]
            out.append(f"<msup><mrow>{out.pop()}</mrow>{sup}</msup>")
        elif kind == "half":
            out.append("<mfrac><mn>1</mn><mn>2</mn></mfrac>")
        else:
            out.append(f"<mo>{html.escape(OPERATORS.get(text, text))}</mo>")
    if remark:
        out.append(f"<mspace width='1em'></mspace><mtext>{html.escape(remark)}</mtext>")
    return f"<math>{''.join(out)}</math>"


def _name(text: str) -> str:
    """Zh -> Z with subscript h; dW2 -> d W with subscript 2; words stay upright."""
    m = MATRIX.fullmatch(text)
    if m:
        d, letter, sub = m.groups()
        tag = "mn" if sub.isdigit() else "mi"
        base = f"<msub><mi>{letter}</mi><{tag}>{sub}</{tag}></msub>"
        return f"<mi>d</mi>{base}" if d else base
    if text in WORDS:
        return f'<mi mathvariant="normal">{text}</mi>'
    return f"<mi>{html.escape(text)}</mi>"
