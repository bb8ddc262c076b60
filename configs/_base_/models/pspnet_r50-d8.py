# mmseg's pspnet_r50-d8 model, every head's cross-entropy averaged over
# the labelled pixels only (avg_non_ignore=True), as all our configs train.
_base_ = ['mmseg::_base_/models/pspnet_r50-d8.py']
model = dict(
    decode_head=dict(loss_decode=dict(avg_non_ignore=True)),
    auxiliary_head=dict(loss_decode=dict(avg_non_ignore=True)))
