# Copyright (c) mmseg_gated contributors. All rights reserved.
from typing import List, Optional, Sequence

from mmseg.registry import MODELS
from torch import Tensor

from .gff_neck import GFFNeck


@MODELS.register_module()
class GFFOfficialNeck(GFFNeck):
    """:class:`GFFNeck` as the authors' released GFFNet computes it
    (lxtGH/DecoupleSegNets, ``network/gffnets.py``,
    ``WiderResNetGFFDFPHead``).

    Exists for :class:`GFFOfficialHead` and so for
    ``tools/model_converters/gff_wrn38_decouple.py``. Where it computes
    differently from Eq. 5 (:class:`GFFNeck` with ``fusion='gff'``):

    - every gate has ``out_channels`` channels (their ``conv_sigmoid(C,
      128)``), not one;
    - the levels are fused one after the other, shallow to deep, and each
      receives the *already fused* shallower levels:
      ``X~_l = (1 + G_l) X_l + (1 - G_l) (sum_{i<l} resize(G_i X~_i) +
      sum_{i>l} resize(G_i X_i))``.

    Gates are still computed from each level's own (un-reduced) input, in
    ``self.gates`` (forward hooks work as for :class:`GFFNeck`). The
    forward returns the fused levels and, last, the reduced *un-fused*
    deepest level, which the authors' head concatenates before its
    classifier.

    Args:
        in_channels (Sequence[int]): Channels of each input level, shallow
            to deep.
        out_channels (int): Width of the reduced levels and of the gates.
            Default: 128.
        conv_cfg (dict, optional): Conv config of the reductions.
        norm_cfg (dict, optional): Norm config of the reductions.
            Default: dict(type='BN').
        act_cfg (dict): Activation of the reductions. Default: ReLU.
        align_corners (bool): ``align_corners`` of the resizes (the
            authors': True). Default: True.
        init_cfg (dict, optional): Initialization config. Default: None.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int = 128,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 align_corners: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            in_channels,
            out_channels=out_channels,
            fusion='gff',
            gate_cfg=dict(gate_channels=out_channels),
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
            align_corners=align_corners,
            init_cfg=init_cfg)
        self.out_channels = [out_channels] * (self.num_levels + 1)

    def _fuse(self, feats: List[Tensor],
              gates: Optional[List[Tensor]]) -> List[Tensor]:
        """Sequential gated fusion, shallow to deep; the reduced deepest
        level is appended."""
        sent = [g * f for g, f in zip(gates, feats)]
        outs = []
        for k in range(self.num_levels):
            received = sum(
                self._resize(sent[i], feats[k]) for i in range(self.num_levels)
                if i != k)
            out = (1 + gates[k]) * feats[k] + (1 - gates[k]) * received
            outs.append(out)
            # deeper levels receive the fused level k
            sent[k] = gates[k] * out
        return outs + [feats[-1]]
