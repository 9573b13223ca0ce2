"""gNMI Subscribe (dial-in): the session client and the SubscribeResponse decoder.

Normalization is shared with JTI (``collectors.jti.normalize``): the same routes fill the same
typed tables whichever protocol carried the values.
"""
