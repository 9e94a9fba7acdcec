import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex for short critical sections that fold threads share: a thread that finds it held spins a little before it
/// sleeps (glibc's adaptive mutex; elsewhere a plain one). Sleeping costs a futex wait and a wake-up, and when the
/// holder has been preempted (a bulk fold runs more threads than a 2-core machine has cores) the waiter sleeps until the
/// holder runs again: on the 10M replay the writer's thread slept in such locks more than anywhere else.
public final class AdaptiveLock: @unchecked Sendable {
    // @unchecked Sendable: a pthread mutex is made to be shared between threads.
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        AdaptiveLock.initialize(mutex)
    }

    deinit {
        AdaptiveLock.destroy(mutex)
        mutex.deallocate()
    }

    /// Makes the uninitialized memory at `mutex` an adaptive mutex (a plain one where there is none).
    static func initialize(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if canImport(Glibc)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    /// Destroys the mutex at `mutex` (made by `initialize`), leaving its memory uninitialized.
    static func destroy(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
    }

    /// `body` run with the lock held. Inlinable, so that a caller's hot path (`EventMemo`) calls the mutex directly.
    @inlinable public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// `count` adaptive mutexes (as `AdaptiveLock`'s), each on a cache line of its own: for data split into stripes that
/// fold threads lock at the same time (`EventMemo`), so two threads holding two stripes never write to one line.
public final class AdaptiveLocks: @unchecked Sendable {
    // @unchecked Sendable: pthread mutexes are made to be shared between threads.
    @usableFromInline let base: UnsafeMutableRawPointer
    /// The bytes each mutex is given: a cache line.
    @usableFromInline static var stride: Int { 64 }
    /// How many mutexes there are.
    public let count: Int

    public init(count: Int) {
        precondition(MemoryLayout<pthread_mutex_t>.size <= Self.stride, "a mutex is larger than a cache line")
        self.count = max(1, count)
        base = .allocate(byteCount: self.count * Self.stride, alignment: Self.stride)
        for index in 0..<self.count {
            AdaptiveLock.initialize((base + index * Self.stride).bindMemory(to: pthread_mutex_t.self, capacity: 1))
        }
    }

    deinit {
        for index in 0..<count {
            AdaptiveLock.destroy((base + index * Self.stride).assumingMemoryBound(to: pthread_mutex_t.self))
        }
        base.deallocate()
    }

    /// `body` run with mutex `index` (below `count`) held.
    @inlinable public func withLock<T>(_ index: Int, _ body: () throws -> T) rethrows -> T {
        let mutex = (base + index * Self.stride).assumingMemoryBound(to: pthread_mutex_t.self)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
