"""The chain-rule derivation: the seed's worked example with its numbers, and the rules."""

import pytest
import sympy as sp

from derive import Derivation, Network, seed


@pytest.fixture(scope="module")
def d():
    return Derivation(seed())


def close(value, expected, tolerance=1e-7):
    return abs(float(value) - expected) < tolerance


# -- the seed's worked example: x = (1, 0), y = 0, c = 1 -----------------------


@pytest.fixture(scope="module")
def example_step(d):
    net = seed()
    ex = net.example
    return d.step(ex.x, ex.y, net.weights, c=ex.c)


def test_worked_example_output(d, example_step):
    n = d.names
    f = example_step.values[n.output(2, 1)]
    assert round(float(f), 5) == 0.65529
    assert close(example_step.values[n.output(1, 1)], 0.8807971)
    assert close(example_step.values[n.output(1, 2)], 0.5)
    assert close(example_step.loss, 0.65529380**2, 1e-6)


def test_worked_example_deltas(d, example_step):
    n = d.names
    assert close(example_step.values[n.delta(2, 1)], -0.1480203)
    assert close(example_step.values[n.delta(1, 1)], -0.0466235)
    assert close(example_step.values[n.delta(1, 2)], 0.0740101)


def test_worked_example_updated_weights(example_step):
    expected = (
        ((1.9533765, -2.0, -0.0466235), (1.0740101, 3.0, -0.9259899)),
        ((2.8696242, -2.0740101, -1.1480203),),
    )
    got = example_step.updated
    assert [[len(row) for row in layer] for layer in got] == [[3, 3], [3]]
    for layer, layer_expected in zip(got, expected):
        for row, row_expected in zip(layer, layer_expected):
            for value, want in zip(row, row_expected):
                assert close(value, want), (value, want)


@pytest.mark.parametrize(
    "x, y, s1, s2, g3, f",
    [
        ((0, 0), (1,), 0.5, 0.269, -0.038, 0.491),
        ((0, 1), (0,), 0.119, 0.881, -2.404, 0.083),
        ((1, 0), (0,), 0.881, 0.5, 0.642, 0.655),
        ((1, 1), (1,), 0.5, 0.953, -1.405, 0.197),
    ],
)
def test_xnor_forward_table(d, x, y, s1, s2, g3, f):
    """The seed's table (f to 3 decimals; g3 at full precision, as the README notes)."""
    n = d.names
    values = d.step(x, y, seed().weights).values
    assert round(float(values[n.output(1, 1)]), 3) == s1
    assert round(float(values[n.output(1, 2)]), 3) == s2
    assert round(float(values[n.preactivation(2, 1)]), 3) == g3
    assert round(float(values[n.output(2, 1)]), 3) == f


# -- the rules ---------------------------------------------------------------


def test_gradient_keeps_the_factor_2(d):
    n = d.names
    delta = n.delta(2, 1)
    assert d.gradient(2, 1, 1) == -2 * delta * n.output(1, 1)
    assert d.gradient(2, 1, 2) == -2 * delta * n.output(1, 2)
    assert d.gradient(2, 1, 3) == -2 * delta  # the bias input is 1
    assert d.gradient(1, 2, 1) == -2 * n.delta(1, 2) * n.input(1)


def test_half_squared_error_gradient_has_no_factor_2():
    d = Derivation(Network((2, 2, 1), ("sigmoid", "sigmoid"), loss="half_squared_error"))
    n = d.names
    assert d.gradient(2, 1, 1) == -n.delta(2, 1) * n.output(1, 1)


def test_update_is_w_plus_c_delta_x_for_every_weight(d):
    n = d.names
    inputs = {1: (n.input(1), n.input(2), 1), 2: (n.output(1, 1), n.output(1, 2), 1)}
    count = 0
    for j in (1, 2):
        for i in d.units(j):
            for k, x in enumerate(inputs[j], start=1):
                w = n.weight(j, i, k)
                assert sp.expand(d.update(j, i, k) - (w + n.rate * n.delta(j, i) * x)) == 0
                count += 1
    assert count == 9


def test_hidden_delta_of_2_3_1_has_one_term_per_next_layer_unit():
    """One output unit: the sum Σ_k δ_k w_ki has exactly one term."""
    d = Derivation(Network.from_layers("2-3-1"))
    n = d.names
    for i in d.units(1):
        s = n.output(1, i)
        slope, backprop_sum = d.delta_factors(1, i)
        assert slope == s * (1 - s)
        assert backprop_sum == n.delta(2, 1) * n.weight(2, 1, i)
        assert len(sp.Add.make_args(backprop_sum)) == 1
        assert d.delta(1, i) == s * (1 - s) * n.delta(2, 1) * n.weight(2, 1, i)


def test_hidden_delta_of_2_3_2_has_two_terms():
    d = Derivation(Network.from_layers("2-3-2"))
    n = d.names
    _, backprop_sum = d.delta_factors(1, 3)
    assert set(sp.Add.make_args(backprop_sum)) == {
        n.delta(2, 1) * n.weight(2, 1, 3),
        n.delta(2, 2) * n.weight(2, 2, 3),
    }


def test_one_unit_of_a_wide_network_builds_only_what_it_needs():
    """δ of unit 1 of layer 1 of 8-16-16-4 builds one δ, one slope and at most layer 2's g's."""
    d = Derivation(Network.from_layers("8-16-16-4"))
    built = []
    cached = d.preactivation
    d.preactivation = lambda j, i: built.append((j, i)) or cached(j, i)
    d.delta(1, 1)
    assert d.delta.cache_info().currsize == 1
    assert d.activation_slope.cache_info().currsize == 1
    # ∂g^{(2)}_k/∂s_1 may need g^{(2)}_k, but no other layer's g and no unit twice.
    assert cached.cache_info().currsize <= 16
    assert {j for j, _ in built} <= {2}
    assert cached.cache_info().currsize == len(set(built))
    d.delta(1, 2)
    assert d.delta.cache_info().currsize == 2
    assert cached.cache_info().currsize <= 16


def test_two_derivations_do_not_share_caches():
    a = Derivation(seed())
    b = Derivation(seed())
    a.delta(1, 1)
    assert b.delta.cache_info().currsize == 0


def test_repr_is_the_networks_summary():
    assert repr(Derivation(seed())) == "Derivation(xnor 2-2-1: sigmoid → sigmoid, squared_error)"
    custom = Network((2, 3, 1), ("x/(1 + abs(x))", "sigmoid"), "binary_cross_entropy", "soft")
    assert repr(Derivation(custom)) == (
        "Derivation(soft 2-3-1: x/(1 + abs(x)) → sigmoid, binary_cross_entropy)"
    )
