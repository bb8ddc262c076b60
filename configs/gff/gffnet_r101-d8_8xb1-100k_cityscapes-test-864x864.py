# GFF (Li et al., AAAI 2020), Table 5, row "GFFNet(Ours)† ResNet101".
# Train-fine model, multi-scale inference on the test set; writes the
# server submission (PNGs) to work_dirs/format_results.
# Evaluation only (multi-scale 0.75..1.75 through the TTA pipeline): test the
# checkpoint of gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py with
#   python tools/test.py THIS_CONFIG CHECKPOINT
_base_ = [
    './gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py',
    '../_base_/datasets/cityscapes_test-server.py'
]
model = dict(_delete_=True, type='SegTTAModel', module={{_base_.model}})
test_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='leftImg8bit/test'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(
                type='TestTimeAug',
                transforms=[[
                    dict(type='Resize', scale_factor=r, keep_ratio=True)
                    for r in [0.75, 1.0, 1.25, 1.5, 1.75]
                ], [dict(type='PackSegInputs')]])
        ]))
test_evaluator = {{_base_.test_server_evaluator}}
