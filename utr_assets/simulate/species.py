"""The species tree of the mini-zoo: real Zoonomia species names, approximate topology and
neutral branch lengths (substitutions per site), Newick in and out, and the walk used by the
evolution model.

Names are kept verbatim, including three-part names (Canis_lupus_familiaris) and a name that is
a prefix of another (Ceratotherium_simum / Ceratotherium_simum_cottoni) at larger scales.
The walk starts at Homo_sapiens: with a reversible substitution model, evolving outward from the
human leaf is equivalent to evolving from the root conditioned on the human sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

REFERENCE_SPECIES = "Homo_sapiens"

# ~35 placental mammals; branch lengths are neutral substitutions per site (approximate).
CORE_TREE = (
    "((((((((((Homo_sapiens:0.0067,Pan_troglodytes:0.0068):0.0022,Gorilla_gorilla:0.0089):0.0097,"
    "Pongo_abelii:0.0187):0.0131,(Macaca_mulatta:0.0078,Chlorocebus_sabaeus:0.0081):0.0275):0.0212,"
    "Callithrix_jacchus:0.0652):0.0608,(Otolemur_garnettii:0.1002,Microcebus_murinus:0.0781):0.0449):0.0104,"
    "Tupaia_chinensis:0.1872):0.0052,(((Mus_musculus:0.0836,Rattus_norvegicus:0.0883):0.1717,"
    "(Cavia_porcellus:0.1287,Heterocephalus_glaber:0.1018):0.0841):0.0233,"
    "(Oryctolagus_cuniculus:0.1088,Ochotona_princeps:0.1632):0.0847):0.0178):0.0215,"
    "((((Canis_lupus_familiaris:0.0212,Vulpes_lagopus:0.0198):0.0621,((Felis_catus:0.0522,"
    "Ailuropoda_melanoleuca:0.0589):0.0052,Mustela_putorius:0.0644):0.0071):0.0442,"
    "((Equus_caballus:0.0591,Ceratotherium_simum_cottoni:0.0477):0.0249,"
    "(((Bos_taurus:0.0389,Ovis_aries:0.0402):0.0733,Tursiops_truncatus:0.0658):0.0124,"
    "Sus_scrofa:0.0921):0.0343):0.0061):0.0042,((Myotis_lucifugus:0.1302,Pteropus_alecto:0.0838):0.0146,"
    "(Sorex_araneus:0.1931,Erinaceus_europaeus:0.1892):0.0315):0.0051):0.0222):0.0188,"
    "((Loxodonta_africana:0.0818,Trichechus_manatus:0.0734):0.0592,"
    "(Dasypus_novemcinctus:0.1011,Choloepus_hoffmanni:0.1003):0.0521):0.0122);"
)

# Larger worlds add real Zoonomia species as sisters of a species already in the tree:
# (new species, existing sister, split depth in substitutions per site).
EXTRA_SPECIES: tuple[tuple[str, str, float], ...] = (
    ("Pan_paniscus", "Pan_troglodytes", 0.0031),
    ("Nomascus_leucogenys", "Pongo_abelii", 0.0152),
    ("Papio_anubis", "Chlorocebus_sabaeus", 0.0062),
    ("Macaca_fascicularis", "Macaca_mulatta", 0.0021),
    ("Rhinopithecus_roxellana", "Macaca_mulatta", 0.0079),
    ("Saimiri_boliviensis", "Callithrix_jacchus", 0.0301),
    ("Aotus_nancymaae", "Callithrix_jacchus", 0.0222),
    ("Carlito_syrichta", "Otolemur_garnettii", 0.0951),
    ("Daubentonia_madagascariensis", "Microcebus_murinus", 0.0702),
    ("Propithecus_coquereli", "Microcebus_murinus", 0.0513),
    ("Galeopterus_variegatus", "Tupaia_chinensis", 0.1641),
    ("Peromyscus_maniculatus", "Mus_musculus", 0.0781),
    ("Mesocricetus_auratus", "Peromyscus_maniculatus", 0.0602),
    ("Cricetulus_griseus", "Mesocricetus_auratus", 0.0305),
    ("Microtus_ochrogaster", "Cricetulus_griseus", 0.0523),
    ("Jaculus_jaculus", "Rattus_norvegicus", 0.1402),
    ("Dipodomys_ordii", "Jaculus_jaculus", 0.1201),
    ("Castor_canadensis", "Dipodomys_ordii", 0.1103),
    ("Marmota_marmota", "Cavia_porcellus", 0.1252),
    ("Ictidomys_tridecemlineatus", "Marmota_marmota", 0.0201),
    ("Chinchilla_lanigera", "Cavia_porcellus", 0.0702),
    ("Octodon_degus", "Chinchilla_lanigera", 0.0551),
    ("Lepus_americanus", "Oryctolagus_cuniculus", 0.0301),
    ("Panthera_tigris", "Felis_catus", 0.0203),
    ("Panthera_pardus", "Panthera_tigris", 0.0052),
    ("Acinonyx_jubatus", "Felis_catus", 0.0151),
    ("Lycaon_pictus", "Canis_lupus_familiaris", 0.0081),
    ("Ursus_maritimus", "Ailuropoda_melanoleuca", 0.0302),
    ("Odobenus_rosmarus", "Mustela_putorius", 0.0451),
    ("Enhydra_lutris", "Mustela_putorius", 0.0222),
    ("Manis_javanica", "Felis_catus", 0.0901),
    ("Equus_asinus", "Equus_caballus", 0.0052),
    ("Diceros_bicornis", "Ceratotherium_simum_cottoni", 0.0121),
    ("Ceratotherium_simum", "Ceratotherium_simum_cottoni", 0.0011),
    ("Tapirus_terrestris", "Ceratotherium_simum_cottoni", 0.0402),
    ("Vicugna_pacos", "Sus_scrofa", 0.0851),
    ("Camelus_ferus", "Vicugna_pacos", 0.0201),
    ("Capra_hircus", "Ovis_aries", 0.0102),
    ("Bison_bison", "Bos_taurus", 0.0061),
    ("Giraffa_tippelskirchi", "Bos_taurus", 0.0351),
    ("Hippopotamus_amphibius", "Tursiops_truncatus", 0.0552),
    ("Orcinus_orca", "Tursiops_truncatus", 0.0121),
    ("Balaenoptera_acutorostrata", "Orcinus_orca", 0.0302),
    ("Delphinapterus_leucas", "Orcinus_orca", 0.0152),
    ("Myotis_myotis", "Myotis_lucifugus", 0.0202),
    ("Rhinolophus_ferrumequinum", "Pteropus_alecto", 0.0802),
    ("Desmodus_rotundus", "Myotis_lucifugus", 0.1002),
    ("Rousettus_aegyptiacus", "Pteropus_alecto", 0.0301),
    ("Condylura_cristata", "Sorex_araneus", 0.1703),
    ("Solenodon_paradoxus", "Sorex_araneus", 0.1602),
    ("Echinops_telfairi", "Loxodonta_africana", 0.0802),
    ("Orycteropus_afer", "Echinops_telfairi", 0.0751),
    ("Elephantulus_edwardii", "Orycteropus_afer", 0.0702),
    ("Chrysochloris_asiatica", "Echinops_telfairi", 0.0601),
    ("Procavia_capensis", "Trichechus_manatus", 0.0651),
    ("Heterohyrax_brucei", "Procavia_capensis", 0.0301),
    ("Tamandua_tetradactyla", "Choloepus_hoffmanni", 0.0901),
    ("Bradypus_variegatus", "Choloepus_hoffmanni", 0.0702),
    ("Tolypeutes_matacus", "Dasypus_novemcinctus", 0.0651),
    ("Ochotona_curzoniae", "Ochotona_princeps", 0.0301),
    ("Rattus_rattus", "Rattus_norvegicus", 0.0101),
    ("Mus_spretus", "Mus_musculus", 0.0071),
)


@dataclass
class Node:
    name: str | None
    length: float = 0.0
    children: list[Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    def leaves(self) -> list[Node]:
        if not self.children:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


def parse_newick(text: str) -> Node:
    """Parse a Newick string with leaf names and branch lengths (no quoting, no comments)."""
    text = text.strip().rstrip(";")
    position = 0

    def parse() -> Node:
        nonlocal position
        node = Node(None)
        if text[position] == "(":
            position += 1
            while True:
                child = parse()
                child.parent = node
                node.children.append(child)
                if text[position] == ",":
                    position += 1
                    continue
                position += 1  # ')'
                break
        start = position
        while position < len(text) and text[position] not in ",():":
            position += 1
        node.name = text[start:position] or None
        if position < len(text) and text[position] == ":":
            position += 1
            start = position
            while position < len(text) and text[position] not in ",()":
                position += 1
            node.length = float(text[start:position])
        return node

    return parse()


def to_newick(node: Node) -> str:
    def render(n: Node) -> str:
        inner = "(" + ",".join(render(c) for c in n.children) + ")" if n.children else ""
        return f"{inner}{n.name or ''}:{n.length:.4f}" if n.parent else f"{inner}{n.name or ''}"

    return render(node) + ";\n"


def build_tree(n_species: int) -> Node:
    """The core tree, extended with EXTRA_SPECIES (in order) up to ``n_species`` leaves."""
    root = parse_newick(CORE_TREE)
    core = len(root.leaves())
    if n_species > core + len(EXTRA_SPECIES):
        raise ValueError(f"at most {core + len(EXTRA_SPECIES)} species are available, asked for {n_species}")
    for name, sister_name, depth in EXTRA_SPECIES[: max(0, n_species - core)]:
        sister = next(leaf for leaf in root.leaves() if leaf.name == sister_name)
        depth = min(depth, sister.length * 0.9)
        parent = sister.parent
        assert parent is not None
        joint = Node(None, sister.length - depth, parent=parent)
        parent.children[parent.children.index(sister)] = joint
        sister.length, sister.parent = depth, joint
        joint.children = [sister, Node(name, depth * 1.04, parent=joint)]
    return root


@dataclass(frozen=True)
class Walk:
    """Tree edges in pre-order from the human leaf: (parent index, child index, branch length)."""

    names: list[str | None]
    edges: list[tuple[int, int, float]]
    leaves: list[int]  # node indices of the species, human first, then tree order
    species: list[str]  # names of ``leaves``
    distance_to_human: np.ndarray  # patristic distance per species (same order)


def walk_from_reference(root: Node, reference: str = REFERENCE_SPECIES) -> Walk:
    nodes: list[Node] = []

    def collect(n: Node) -> None:
        nodes.append(n)
        for c in n.children:
            collect(c)

    collect(root)
    index = {id(n): i for i, n in enumerate(nodes)}
    adjacency: dict[int, list[tuple[int, float]]] = {i: [] for i in range(len(nodes))}
    for n in nodes:
        if n.parent is not None:
            a, b = index[id(n.parent)], index[id(n)]
            adjacency[a].append((b, n.length))
            adjacency[b].append((a, n.length))
    start = next(i for i, n in enumerate(nodes) if n.name == reference)
    edges: list[tuple[int, int, float]] = []
    distance = {start: 0.0}
    stack = [start]
    while stack:
        current = stack.pop()
        for neighbour, length in reversed(adjacency[current]):
            if neighbour not in distance:
                distance[neighbour] = distance[current] + length
                edges.append((current, neighbour, length))
                stack.append(neighbour)
    tree_leaves = [index[id(leaf)] for leaf in root.leaves()]
    leaves = [start] + [i for i in tree_leaves if i != start]
    return Walk(
        names=[n.name for n in nodes],
        edges=edges,
        leaves=leaves,
        species=[nodes[i].name or "" for i in leaves],
        distance_to_human=np.array([distance[i] for i in leaves]),
    )
