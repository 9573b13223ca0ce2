"""Ground truth: every injected fault with its exact scope, time and expected symptom.

Owns: turning the scenario's faults into records (id, type, layer, scope, start, end, the SLE
and classifier it should show as, the clients it can affect) and writing them, with the
inventory the twin implies, beside the lake under ``_sim/``. Must not: simulate traffic.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import yaml

from assurance.lake.store import LakeStore
from assurance.sim.faults import CATALOGUE
from assurance.sim.world import World

TRUTH_PATH = "_sim/ground_truth.jsonl"
INVENTORY_PATH = "_sim/inventory.yaml"


def fault_id(n: int, spec_id: str | None) -> str:
    return spec_id or f"F{n + 1:03d}"


def ground_truth(world: World) -> list[dict[str, Any]]:
    """One record per scheduled fault, in scenario order."""
    scenario = world.scenario
    clients = world.clients
    out = []
    for n, fault in enumerate(scenario.faults):
        kind = CATALOGUE[fault.type]
        start = scenario.start + fault.at
        end = min(start + fault.duration, scenario.end)
        scope: dict[str, Any] = {"site": fault.site}
        sites = [fault.site] if fault.site else []
        if kind.scope in ("link", "port", "ap", "gateway", "switch") and fault.site:
            site = world.by_name[fault.site]
            if fault.link is not None:
                link = next(lk for lk in site.links if lk.profile.name == fault.link)
                scope.update(
                    link=fault.link,
                    interface=link.interface,
                    isp=link.profile.isp,
                    tunnel=link.tunnel,
                )
            if fault.ap is not None:
                scope.update(ap=site.ap_name(fault.ap - 1), switch_port=site.ap_port(fault.ap - 1))
            if fault.port is not None:
                scope.update(switch=site.switch, switch_port=site.access_port(fault.port - 1))
            if fault.ap is not None:
                scope["device"] = site.ap_name(fault.ap - 1)
            elif fault.port is not None:
                scope["device"] = site.switch
            else:
                scope["device"] = site.gateway
        if fault.app is not None:
            scope["app"] = fault.app
            sites = [s.name for s in world.sites]
        if fault.isp is not None:
            scope["isp"] = fault.isp
            hit = [
                (s.name, lk.profile.name)
                for s in world.sites
                for lk in s.links
                if lk.profile.isp == fault.isp
            ]
            scope["links"] = [f"{s}/{lk}" for s, lk in hit]
            sites = sorted({s for s, _ in hit})
        site_ix = {world.by_name[s].index for s in sites}
        at_site = [int(i) for i in range(len(clients)) if int(clients.site[i]) in site_ix]
        if fault.ap is not None:
            at_site = [i for i in at_site if int(clients.ap[i]) == fault.ap - 1]
        if fault.port is not None:
            at_site = [i for i in at_site if int(clients.port[i]) == fault.port - 1]
        out.append(
            {
                "id": fault_id(n, fault.id),
                "type": fault.type,
                "layer": kind.layer,
                "scope": scope,
                "sites": sites,
                "start": start.isoformat().replace("+00:00", "Z"),
                "end": end.isoformat().replace("+00:00", "Z"),
                "minutes": int((end - start) / timedelta(minutes=1)),
                "sle": kind.sle,
                "classifier": kind.classifier,
                "clients_in_scope": len(at_site),
                # client ids as the SLE engine keys them (MAC, lower case)
                "clients": [
                    world.client_mac(int(clients.site[i]), int(clients.number[i])) for i in at_site
                ],
                "params": {k: fault.value(k) for k in kind.params},
            }
        )
    return out


def write_truth(store: LakeStore, world: World) -> None:
    """``_sim/ground_truth.jsonl`` and ``_sim/inventory.yaml`` beside the lake's tables."""
    lines = "".join(json.dumps(r, sort_keys=True) + "\n" for r in ground_truth(world))
    store.publish(TRUTH_PATH, lines.encode())
    inventory = yaml.safe_dump(world.inventory_data(), sort_keys=False)
    header = f"# Inventory of simulated scenario {world.scenario.name!r} (seed {world.seed}).\n"
    store.publish(INVENTORY_PATH, (header + inventory).encode())


__all__ = ["INVENTORY_PATH", "TRUTH_PATH", "ground_truth", "write_truth"]
