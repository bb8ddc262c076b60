# GFF (Li et al., AAAI 2020), Table 2, row "PSPNet + GFF + DFP + MS".
# Evaluation only (multi-scale 0.75..1.75 through the TTA pipeline): test the
# checkpoint of gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py with
#   python tools/test.py THIS_CONFIG CHECKPOINT
_base_ = ['./gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py']
model = dict(_delete_=True, type='SegTTAModel', module={{_base_.model}})
test_dataloader = dict(dataset=dict(pipeline={{_base_.tta_pipeline}}))
val_dataloader = test_dataloader
