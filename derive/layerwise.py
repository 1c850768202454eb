"""A layer's quantities as vectors: each unit's formula applied to every element.

The derivation works unit by unit, δ^{(j)}_i = s_i (1 − s_i) Σ_k δ_k w_{ki}; the
layer's form, δ^{(j)} = s ⊙ (𝟏 − s) ⊙ (W̄ᵀδ), is the same formula applied to
each element of the layer's vectors.  :func:`elementwise` lifts a unit's formula,
:func:`hadamard` multiplies vectors element by element, :class:`Elementwise`
applies a scalar function to each element, and :func:`negated` changes the sign
of a term without reordering its factors.  The explanation and the generated
code print these expressions, so that the project has one vector form.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions import HadamardPower, HadamardProduct, MatAdd, OneMatrix

from derive import naming


def elementwise(expr: sp.Expr, vectors: dict[sp.Symbol, sp.MatrixExpr]) -> sp.MatrixExpr:
    """Lift a scalar expression to the same expression applied elementwise.

    Symbols become the given vectors, products Hadamard products, integer
    powers Hadamard powers, and numbers and constants (3/2, log 2) the number
    times the all-ones vector.

    Examples
    --------
    >>> import sympy as sp
    >>> s = sp.Symbol("s")
    >>> v = sp.MatrixSymbol("v", 3, 1)
    >>> elementwise(s * (1 - s), {s: v})
    HadamardProduct(v, -v + 1)
    """
    shape = next(iter(vectors.values())).shape

    def of_one(e):
        """e applied elementwise to the one vector it is of, else None."""
        used = [v for v in vectors if e.has(v)]
        if len(used) != 1:
            return None
        d = sp.Dummy("d", real=True)
        return Elementwise(sp.Lambda(d, e.xreplace({used[0]: d})), vectors[used[0]])

    def lift(e):
        if e in vectors:
            return vectors[e]
        if e.is_number:  # 3/2, and a constant such as log 2 in the slope 2^g log 2 of 2^x
            return e * OneMatrix(*shape)
        if e.is_Add:
            # in the order the unit's formula prints its terms
            return MatAdd(*(lift(a) for a in naming.positive_first(e.as_ordered_terms())))
        if e.is_Mul:
            coeff, rest = e.as_coeff_Mul()
            # a quotient of one vector, e.g. g sign(g)/(1 + |g|)² or 1/(2√g), stays one fraction
            # with its number, as the unit's formula writes it; a minus sign stays in front
            quotient = of_one(-e if coeff < 0 else e) if sp.fraction(e, exact=True)[1] != 1 else None
            if quotient is not None:
                return -quotient if coeff < 0 else quotient
            # hadamard leads with the number and keeps the factors' order, which coeff * product
            # would sort (sin g ⊙ g for g sin g)
            return hadamard(lift(coeff), *(lift(a) for a in rest.as_ordered_factors()))
        if e.is_Pow and e.exp.is_Integer and e.exp > 0:
            return HadamardPower(lift(e.base), e.exp)
        # anything else of one vector, e.g. 1[g > 0] or 1/(1 + |g|): applied elementwise
        lifted = of_one(e)
        if lifted is None:
            raise ValueError(f"cannot lift {e} to a vector expression")
        return lifted

    return lift(expr)


def negated(term):
    """−term; a product of matrices keeps its factors' order, which SymPy's − would sort."""
    if isinstance(term, sp.MatMul) and term.args[0].is_Number:
        coeff, *rest = term.args
        factors = rest if coeff == -1 else [-coeff, *rest]
        return factors[0] if len(factors) == 1 else sp.MatMul(*factors)
    return -term


class Elementwise(sp.MatrixExpr):
    """A scalar function applied to each element of a vector, e.g. σ(g) or 1[g > 0].

    ``args`` are a one-variable ``Lambda`` and the vector.
    """

    def __new__(cls, function: sp.Lambda, vector: sp.MatrixExpr):
        return sp.Basic.__new__(cls, function, vector)

    @property
    def shape(self):
        return self.args[1].shape

    def _entry(self, i, j, **kwargs):
        return self.args[0](self.args[1][i, j])


def hadamard(*factors: sp.MatrixExpr) -> sp.MatrixExpr:
    """⊙ of the factors, leaving out all-ones vectors (the identity of ⊙).

    A factor's number leads the product, as it leads the unit's formula:
    3/2 W̄ᵀδ for the slope 3/2 of 3x/2, not ((3/2) 𝟏) ⊙ (W̄ᵀδ), and
    −sin g ⊙ (W̄ᵀδ), not (−sin g) ⊙ (W̄ᵀδ).
    """
    kept, coeff = [], sp.S.One
    for f in factors:
        if isinstance(f, sp.MatMul) and not f.args[0].is_Matrix and f.args[0].is_number:
            coeff *= f.args[0]
            f = f.args[1] if len(f.args) == 2 else sp.MatMul(*f.args[1:])
        if isinstance(f, HadamardProduct):
            kept.extend(f.args)
        elif not isinstance(f, OneMatrix):
            kept.append(f)
    if not kept:
        return factors[0]
    product = kept[0] if len(kept) == 1 else HadamardProduct(*kept)
    if coeff == 1:
        return product
    # one product, 2 W̄ᵀδ: MatMul does not flatten, and would write 2 (W̄ᵀδ)
    return sp.MatMul(coeff, *(product.args if isinstance(product, sp.MatMul) else [product]))
