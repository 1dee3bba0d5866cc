import Synchronization

