"""The network spec: the seed, ``--layers`` parsing, and TOML loading with its SpecErrors."""

import pytest

from derive.network import (
    MAX_DEPTH,
    MAX_LAYER_SIZE,
    Network,
    SpecError,
    load_spec,
    parse_layers,
    seed,
)

# -- the seed -------------------------------------------------------------------


def test_seed_is_the_2_2_1_sigmoid_network_of_the_post():
    net = seed()
    assert net.sizes == (2, 2, 1)
    assert net.depth == 2
    assert net.activations == ("sigmoid", "sigmoid")
    assert net.loss == "squared_error"
    assert net.name == "xnor"
    assert net.weight_shapes == ((2, 3), (1, 3))


def test_seed_weights_are_the_posts_bias_last():
    assert seed().weights == (
        ((2.0, -2.0, 0.0), (1.0, 3.0, -1.0)),
        ((3.0, -2.0, -1.0),),
    )


def test_seed_data_is_the_xnor_truth_table():
    assert seed().data == (
        ((0.0, 0.0), (1.0,)),
        ((0.0, 1.0), (0.0,)),
        ((1.0, 0.0), (0.0,)),
        ((1.0, 1.0), (1.0,)),
    )


def test_seed_example_is_x_1_0_with_target_0_and_c_1():
    example = seed().example
    assert example.x == (1.0, 0.0)
    assert example.y == (0.0,)
    assert example.c == 1.0
    assert "slip" in example.note


def test_repr_names_the_architecture_and_what_the_spec_brings():
    assert repr(seed()) == (
        "Network(xnor 2-2-1: sigmoid → sigmoid, squared_error; weights, 4 data rows, example)"
    )
    classifier = load_spec("derive/networks/classifier.toml")
    assert repr(classifier) == (
        "Network(classifier 4-8-3: tanh → softmax, softmax_cross_entropy;"
        " weights, 12 data rows, example)"
    )
    bare = Network.from_layers("3-4-4-2", loss="half_squared_error")
    assert repr(bare) == (
        "Network(net_3_4_4_2 3-4-4-2: sigmoid → sigmoid → sigmoid, half_squared_error)"
    )


def test_repr_of_a_wide_network_stays_one_short_line():
    sizes = (256, 64, 10)
    shapes = Network(sizes, ("tanh", "sigmoid")).weight_shapes
    weights = tuple(tuple((0.5,) * columns for _ in range(rows)) for rows, columns in shapes)
    net = Network(sizes, ("tanh", "sigmoid"), weights=weights, data=(((0.0,) * 256, (1.0,) * 10),))
    assert repr(net) == (
        "Network(network 256-64-10: tanh → sigmoid, squared_error; weights, 1 data row)"
    )


# -- --layers -------------------------------------------------------------------


def test_from_layers_builds_a_sigmoid_network_of_those_sizes():
    net = Network.from_layers("3-4-4-2")
    assert net.sizes == (3, 4, 4, 2)
    assert net.depth == 3
    assert net.activations == ("sigmoid",) * 3
    assert net.loss == "squared_error"
    assert net.weight_shapes == ((4, 4), (4, 5), (2, 5))
    assert net.name == "net_3_4_4_2"
    assert net.layers_text == "3-4-4-2"
    assert net.weights is None and net.example is None and net.data == ()


@pytest.mark.parametrize(
    "text, problem",
    [
        ("0-2", "every size must be at least 1"),
        ("2", "need at least two sizes (inputs and outputs), got '2'"),
        ("2--1", "expected sizes joined by '-'"),
        ("a-b", "expected sizes joined by '-'"),
        ("-1-2", "expected sizes joined by '-'"),
        ("", "expected sizes joined by '-'"),
    ],
)
def test_parse_layers_refuses_malformed_sizes(text, problem):
    with pytest.raises(SpecError) as error:
        parse_layers(text)
    message = str(error.value)
    assert message.startswith("--layers:")
    assert problem in message
    assert repr(text) in message


def test_parse_layers_reads_sizes():
    assert parse_layers("2-3-1") == (2, 3, 1)
    assert parse_layers(" 3-4-4-2\n") == (3, 4, 4, 2)


def test_layer_size_above_the_maximum_is_refused():
    assert Network.from_layers(f"{MAX_LAYER_SIZE}-1").sizes == (MAX_LAYER_SIZE, 1)
    with pytest.raises(SpecError, match=rf"layers: sizes are at most {MAX_LAYER_SIZE}"):
        Network.from_layers(f"{MAX_LAYER_SIZE + 1}-1")


def test_depth_above_the_maximum_is_refused():
    assert Network.from_layers("-".join(["1"] * (MAX_DEPTH + 1))).depth == MAX_DEPTH
    with pytest.raises(SpecError, match=rf"layers: at most {MAX_DEPTH} layers"):
        Network.from_layers("-".join(["1"] * (MAX_DEPTH + 2)))


def test_a_size_with_thousands_of_digits_is_a_spec_error():
    # Python refuses int() of strings over 4300 digits with a bare ValueError.
    with pytest.raises(SpecError, match="--layers"):
        parse_layers("9" * 5000 + "-1")


# -- load_spec ------------------------------------------------------------------

GOOD = """\
layers = [2, 2, 1]
weights = [[[2, -2, 0], [1, 3, -1]], [[3, -2, -1]]]
[example]
x = [1, 0]
y = [0]
c = 0.5
"""


def write(tmp_path, text, name="net.toml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_load_spec_reads_a_good_file(tmp_path):
    net = load_spec(write(tmp_path, GOOD, "small_net.toml"))
    assert net.sizes == (2, 2, 1)
    assert net.name == "small_net"  # from the file name
    assert net.weights == seed().weights
    assert net.example.x == (1.0, 0.0) and net.example.y == (0.0,) and net.example.c == 0.5


def test_load_spec_reads_the_seed_file_like_seed():
    from importlib import resources

    with resources.as_file(resources.files("derive.networks") / "xnor.toml") as path:
        assert load_spec(path) == seed()


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert str(error.value) == f"{path}: no such spec file"


def test_a_directory_is_not_a_spec(tmp_path):
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(tmp_path)


@pytest.mark.parametrize(
    "content, problem",
    [
        ("this is not toml = = =", "not valid TOML"),
        ("layers = [2, 1", "not valid TOML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00", "not a TOML file (not UTF-8 text)"),
        (bytes(range(256)), "not a TOML file"),
    ],
    ids=["text", "unclosed", "png-header", "all-bytes"],
)
def test_not_toml(tmp_path, content, problem):
    path = write(tmp_path, content)
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert str(error.value).startswith(f"{path}: {problem}")


@pytest.mark.parametrize(
    "text, field, problem",
    [
        ('layers = [2, 1]\ncolour = "red"', "unknown field 'colour'", "accepted: activation"),
        ('name = "x"', "layers", "missing"),
        ('layers = "2-1"', "layers", "expected a list"),
        ("layers = [2.0, 1]", "layers", "positive integers"),
        ("layers = [true, 1]", "layers", "positive integers"),
        ("layers = [2, 0]", "layers", "positive integers"),
        ("layers = [2]", "layers", "at least two sizes"),
        (
            "layers = [2, 2, 1]\nweights = [[[1, 2, 3], [1, 2]], [[1, 2, 3]]]",
            "weights",
            "layer 1 needs 2 rows of 3 numbers (inputs + bias, bias last), got 2 rows of 2 to 3 numbers",
        ),
        (
            "layers = [2, 2, 1]\nweights = [[[1, 2, 3], [1, 2, 3]]]",
            "weights",
            "expected 2 layer matrices, got 1",
        ),
        (
            "layers = [2, 2, 1]\nweights = [[[1, 2, 3], [1, 2, 3]], [[1, 2]]]",
            "weights",
            "layer 2 needs 1 row of 3 numbers (inputs + bias, bias last), got 1 row of 2 numbers",
        ),
        ('layers = [2, 1]\nweights = "abc"', "weights", "expected a list"),
        ("layers = [2, 1]\nweights = [[[1, nan, 3]]]", "weights", "finite number"),
        ('layers = [2, 1]\nactivation = "sigmoidal"', "activation", "unknown activation"),
        ('layers = [2, 2, 1]\nactivation = ["sigmoid"]', "activation", "one per layer"),
        ("layers = [2, 1]\nactivation = 3", "activation", "a name or a list of names"),
        ('layers = [2, 1]\nloss = "hinge"', "loss", "unknown loss 'hinge'"),
        ("layers = [2, 1]\nloss = 2", "loss", "expected a string"),
        ('layers = [2, 1]\nname = "1abc"', "name", "not a Python identifier"),
        ("layers = [2, 1]\n[data]\nx = [[1, 2]]\ny = [[1], [0]]", "data", "1 rows but y has 2"),
        ("layers = [2, 1]\n[data]\nx = [[1, 2, 3]]\ny = [[1]]", "data.x[0]", "expected 2"),
    ],
)
def test_bad_field(tmp_path, text, field, problem):
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as error:
        load_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {field}")
    assert problem in message


def test_unknown_activation_lists_the_known_ones(tmp_path):
    path = write(tmp_path, 'layers = [2, 1]\nactivation = "sigmoidal"')
    with pytest.raises(SpecError) as error:
        load_spec(path)
    for known in ("sigmoid", "tanh", "relu", "softplus", "linear"):
        assert known in str(error.value)


def test_unknown_loss_lists_the_known_ones(tmp_path):
    path = write(tmp_path, 'layers = [2, 1]\nloss = "hinge"')
    with pytest.raises(SpecError) as error:
        load_spec(path)
    for known in ("squared_error", "half_squared_error", "binary_cross_entropy"):
        assert known in str(error.value)


WEIGHTS_2_1 = "layers = [2, 1]\nweights = [[[1, 2, 3]]]\n"


@pytest.mark.parametrize(
    "example, field, problem",
    [
        ("x = [1, 2, 3]\ny = [0]", "example.x", "expected 2 numbers, got 3"),
        ("x = [1, 2]\ny = [0, 1]", "example.y", "expected 1 numbers, got 2"),
        ("x = [1, 2]", "example", "expected a table with x, y"),
        ('x = [1, 2]\ny = [0]\nc = "big"', "example.c", "expected a finite number"),
        ('x = [1, "a"]\ny = [0]', "example.x", "expected a finite number, got 'a'"),
        ("x = [1, 2]\ny = [0]\nnote = 5", "example.note", "expected a string"),
        ("x = [1, 2]\ny = [0]\nseed = 5", "example", "optionally c and note"),
    ],
)
def test_bad_example(tmp_path, example, field, problem):
    path = write(tmp_path, WEIGHTS_2_1 + "[example]\n" + example)
    with pytest.raises(SpecError) as error:
        load_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {field}")
    assert problem in message


def test_example_without_weights(tmp_path):
    path = write(tmp_path, "layers = [2, 1]\n[example]\nx = [1, 2]\ny = [0]")
    with pytest.raises(SpecError, match="example: a worked example needs the network's weights"):
        load_spec(path)


def test_spec_sizes_above_the_maximum_are_refused(tmp_path):
    path = write(tmp_path, f"layers = [2, {MAX_LAYER_SIZE + 1}]")
    with pytest.raises(SpecError, match=rf"layers: sizes are at most {MAX_LAYER_SIZE}"):
        load_spec(path)
    path = write(tmp_path, "layers = [" + ", ".join(["1"] * (MAX_DEPTH + 2)) + "]")
    with pytest.raises(SpecError, match=rf"layers: at most {MAX_DEPTH} layers"):
        load_spec(path)


def test_spec_integer_with_thousands_of_digits_is_a_spec_error(tmp_path):
    # tomllib raises a bare ValueError (not TOMLDecodeError) for such an integer.
    path = write(tmp_path, "layers = [2, " + "9" * 5000 + "]")
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert str(error.value).startswith(f"{path}: ")


def test_spec_nested_a_thousand_deep_is_a_spec_error(tmp_path):
    # tomllib recurses once per nested array and has no limit of its own.
    path = write(tmp_path, "layers = " + "[" * 1000 + "]" * 1000)
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert str(error.value).startswith(f"{path}: ")
