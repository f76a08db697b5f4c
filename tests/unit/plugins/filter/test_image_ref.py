"""image_ref: a digest pins the image, the tag stays; a malformed or second digest is refused."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.image_ref import image_digest, image_ref

DIGEST = 'sha256:' + '0123456789abcdef' * 4


def test_without_a_digest_the_reference_is_unchanged():
    assert image_ref('docker.io/rclone/rclone:1.71.2') == 'docker.io/rclone/rclone:1.71.2'
    assert image_ref('docker.io/rclone/rclone:1.71.2', None) == 'docker.io/rclone/rclone:1.71.2'


def test_a_digest_is_appended_after_the_tag():
    assert image_ref('docker.io/rclone/rclone:1.71.2', DIGEST) == 'docker.io/rclone/rclone:1.71.2@' + DIGEST


def test_a_chart_tag_takes_the_digest_too():
    assert image_ref('1.21.2', DIGEST) == '1.21.2@' + DIGEST


@pytest.mark.parametrize('digest', ['sha256:abc', '0123456789abcdef' * 4, DIGEST.upper(), 'sha512:' + 'a' * 128, DIGEST + ' '])
def test_a_malformed_digest_is_refused(digest):
    with pytest.raises(AnsibleFilterError, match='must be sha256:<64 lowercase hex>'):
        image_ref('r/i:1', digest)


def test_a_second_digest_is_refused():
    with pytest.raises(AnsibleFilterError, match='already names a digest'):
        image_ref('r/i:1@' + DIGEST, DIGEST)


@pytest.mark.parametrize('image', [None, ''])
def test_an_empty_image_is_refused(image):
    with pytest.raises(AnsibleFilterError, match='non-empty string'):
        image_ref(image, DIGEST)


def test_a_chart_digest_field_takes_the_digest_alone_and_empty_stays_empty():
    assert image_digest(DIGEST, 'ghcr.io/stakater/reloader') == DIGEST
    assert image_digest('', 'ghcr.io/stakater/reloader') == ''


def test_a_malformed_chart_digest_is_refused_naming_the_image():
    with pytest.raises(AnsibleFilterError, match='digest for ghcr.io/stakater/reloader must be sha256'):
        image_digest('sha256:abc', 'ghcr.io/stakater/reloader')
