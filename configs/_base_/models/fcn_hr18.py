# mmseg's fcn_hr18 model (HRNetV2-W18 + FCN head), the cross-entropy
# averaged over the labelled pixels only (avg_non_ignore=True), as all our
# configs train.
_base_ = ['mmseg::_base_/models/fcn_hr18.py']
model = dict(decode_head=dict(loss_decode=dict(avg_non_ignore=True)))
