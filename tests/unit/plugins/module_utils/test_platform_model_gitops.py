"""ai_platform_gitops: the repository Flux syncs a rendered site from; each refusal names the setting."""


import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model as pm


def errors(model):
    return pm.format_errors(pm.check_platform(model))


def test_example_repository_passes_and_only_url_is_needed(model):
    assert errors(model) == []
    model['ai_platform_gitops'] = {'url': 'https://git.example.internal/platform/site.git'}
    assert errors(model) == []


def test_missing_repository_is_refused_when_rendering_only(model):
    del model['ai_platform_gitops']
    assert errors(model) == ["ai_platform_gitops: is required when ai_platform_apply is false: the url (and "
                             "branch, path) of the Git repository Flux syncs ai_platform_render_dir from"]
    model['ai_platform_apply'] = True
    assert errors(model) == []


@pytest.mark.parametrize('key, value, message', [
    ('url', 'git@git.example.internal:platform/site.git',
     "ai_platform_gitops.url: 'git@git.example.internal:platform/site.git' is not an http(s):// or ssh:// URL"),
    ('url', 'file:///srv/git/site', "ai_platform_gitops.url: 'file:///srv/git/site' is not an http(s)://"),
    ('url', None, 'ai_platform_gitops.url: is required'),
    ('branch', 'feature..x', "ai_platform_gitops.branch: 'feature..x' is not a Git branch name"),
    ('branch', 'with space', "ai_platform_gitops.branch: 'with space' is not a Git branch name"),
    ('path', '/srv/clusters/example', "ai_platform_gitops.path: '/srv/clusters/example' must be relative"),
    ('path', 'clusters/../example', "ai_platform_gitops.path: 'clusters/../example' must name a folder inside"),
    ('path', './', "ai_platform_gitops.path: './' must name a folder inside"),
    ('secret', 'Git_Credentials', "ai_platform_gitops.secret: 'Git_Credentials' is not a Secret name"),
    ('interval', '1m', 'ai_platform_gitops.interval: is not a setting (known: url, branch, path, secret)'),
])
def test_bad_setting_is_refused_naming_it(model, key, value, message):
    if value is None:
        del model['ai_platform_gitops'][key]
    else:
        model['ai_platform_gitops'][key] = value
    found = errors(model)
    assert len(found) == 1 and found[0].startswith(message), found


def test_repository_that_is_not_a_mapping_is_refused(model):
    model['ai_platform_gitops'] = 'https://git.example.internal/platform/site.git'
    assert errors(model) == ["ai_platform_gitops: must be a mapping, got 'https://git.example.internal/platform/site.git'"]
