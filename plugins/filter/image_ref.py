# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

_DIGEST = re.compile(r'^sha256:[0-9a-f]{64}$')


def image_ref(image, digest=''):
    """image, or image@digest: the runtime pulls by the digest and the tag stays for people to read."""
    if not isinstance(image, str) or not image:
        raise AnsibleFilterError('image_ref: the image must be a non-empty string, got %r' % (image,))
    if not digest:
        return image
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise AnsibleFilterError('image_ref: digest for %s must be sha256:<64 lowercase hex>, got %r' % (image, digest))
    if '@' in image:
        raise AnsibleFilterError('image_ref: %s already names a digest; set the digest in one place' % image)
    return '%s@%s' % (image, digest)


def image_digest(digest, image):
    """digest checked as image_ref checks it, for a chart's own digest field ('' stays ''); image names
    the chart's default image in the error."""
    return image_ref(image, digest).rpartition('@')[2] if digest else ''


class FilterModule(object):
    def filters(self):
        return {'image_ref': image_ref, 'image_digest': image_digest}
