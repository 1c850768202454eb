"""What every action of the command line shares: its one-line errors, the network its
arguments describe, and writing a file.
"""

from __future__ import annotations

import argparse
import sys

from derive import losses
from derive.network import SEED_SOURCE, Network, load_spec, seed


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


def network_from_args(args: argparse.Namespace) -> tuple[Network, str, dict]:
    """The network the arguments describe, where it came from, and its recipe.

    The recipe records the network as data for the module's header
    (:func:`derive.network.from_recipe` builds it again): the spec's path, the layer
    sizes or the seed, and the activations and loss that replace the spec's.
    """
    if args.spec:
        base, source, recipe = load_spec(args.spec), args.spec, {"spec": args.spec}
    elif args.layers:
        base, recipe = Network.from_layers(args.layers), {"layers": args.layers}
        source = f"--layers {args.layers}"
    else:
        base, source, recipe = seed(), SEED_SOURCE, {"seed": True}
    acts = list(base.activations)
    if args.activation:
        if len(acts) == 1:
            raise UsageError(
                f"--activation sets the hidden layers, and {base.layers_text} has none"
                " (use --output-activation)"
            )
        acts[:-1] = [args.activation] * (len(acts) - 1)
    if args.output_activation:
        acts[-1] = args.output_activation
    elif args.loss and losses.get(args.loss).output:
        acts[-1] = losses.get(args.loss).output  # e.g. softmax under softmax_cross_entropy
    network = base.varied(acts, args.loss or base.loss)
    if network.activations != base.activations:
        recipe["activations"] = list(network.activations)
    if network.loss != base.loss:
        recipe["loss"] = network.loss
    return network, source, recipe


def write(text: str, path: str, option: str) -> None:
    import codegen

    try:
        codegen.write(text, path, force=True)
    except OSError as error:
        raise UsageError(f"{option}: cannot write {path!r} ({error.strerror})") from None
    print(f"wrote {path}", file=sys.stderr)


