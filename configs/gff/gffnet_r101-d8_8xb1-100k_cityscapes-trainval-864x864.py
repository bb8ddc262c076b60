# GFF (Li et al., AAAI 2020), Tables 5 and 7, row "GFFNet(Ours)‡ ResNet101".
# Trained on train-fine + val-fine; test-set submission with
#   python tools/test.py THIS_CONFIG CHECKPOINT --tta   (scales 0.75..1.75)
_base_ = [
    './gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py',
    '../_base_/datasets/cityscapes_test-server.py'
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='CityscapesDataset',
                data_root='data/cityscapes/',
                data_prefix=dict(
                    img_path=f'leftImg8bit/{split}',
                    seg_map_path=f'gtFine/{split}'),
                pipeline={{_base_.train_pipeline}})
            for split in ('train', 'val')
        ]))
test_dataloader = {{_base_.test_server_dataloader}}
test_evaluator = {{_base_.test_server_evaluator}}
